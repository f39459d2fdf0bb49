import type pg from 'pg';
import { say } from './steps.js';

/**
 * Damage Postgres behind the repositories' back, as a bad manual fix would: one payment's amount raised
 * by 1e-18, the smallest step numeric(38,18) holds. Returns its legacy id. The traffic never touches
 * the seeded payments, so nothing heals it before the verification looks.
 */
export async function tamperOnePayment(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ legacy_object_id: string; amount: string }>(
    `UPDATE payments SET amount = amount + 0.000000000000000001
      WHERE id = (SELECT id FROM payments WHERE source_deleted_at IS NULL AND rejected_at IS NULL
                    ORDER BY legacy_object_id LIMIT 1)
      RETURNING legacy_object_id, amount::text`,
  );
  const row = rows[0];
  if (!row) throw new Error('the demo found no payment to tamper with');
  say(`payments ${row.legacy_object_id}: amount set to ${row.amount} in Postgres only`);
  return row.legacy_object_id;
}
