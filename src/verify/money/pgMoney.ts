import type pg from 'pg';
import { normaliseDecimal } from '../canonical.js';
import { groupKey } from './exactSums.js';
import type { MoneyFigures } from './figures.js';
import { CREDIT_TYPES, DEBIT_TYPES } from './ledgerRules.js';

/**
 * Live rows only (a tombstone's document left MongoDB, or stopped mapping, so it is in no Mongo figure),
 * and not one of the documents left out of both sides as unsettled: `$n` is their legacy ids.
 */
const LIVE = (alias: string, n: number) =>
  `${alias}.source_deleted_at IS NULL AND ${alias}.rejected_at IS NULL AND NOT (${alias}.legacy_object_id = ANY($${n}::text[]))`;

type KeyedSum = {
  k1: string | null;
  k2: string | null;
  k3?: string | null;
  k4?: string | null;
  total: string;
};

/**
 * The Postgres side: SUM over numeric(38,18) is exact in Postgres, and `::text` hands it over without a
 * float; keys in legacy-id space (the user's and purchase request's legacy ids) so they meet MongoDB's.
 */
export async function readPgMoney(
  client: pg.ClientBase,
  leftOut: { payments: readonly string[]; fundsledgerentries: readonly string[] },
): Promise<MoneyFigures> {
  const paymentsLeftOut = [leftOut.payments];
  const ledgerLeftOut = [leftOut.fundsledgerentries];
  const toMap = (rows: KeyedSum[]) =>
    new Map(
      rows.map((r) => [
        groupKey(r.k1, r.k2, ...(r.k3 === undefined ? [] : [r.k3]), ...(r.k4 === undefined ? [] : [r.k4])),
        normaliseDecimal(r.total),
      ]),
    );
  const payments = await client.query<KeyedSum>(
    `SELECT p.status::text AS k1, p.provider::text AS k2, p.direction::text AS k3, p.currency AS k4,
            sum(p.amount)::text AS total
       FROM payments p WHERE ${LIVE('p', 1)} GROUP BY 1, 2, 3, 4`,
    paymentsLeftOut,
  );
  const byType = await client.query<KeyedSum>(
    `SELECT f.type::text AS k1, f.currency AS k2, sum(f.amount)::text AS total
       FROM funds_ledger_entries f WHERE ${LIVE('f', 1)} GROUP BY 1, 2`,
    ledgerLeftOut,
  );
  const balances = await client.query<KeyedSum>(
    `SELECT u.legacy_object_id AS k1, f.currency AS k2, sum(f.amount)::text AS total
       FROM funds_ledger_entries f JOIN users u ON u.id = f.user_id WHERE ${LIVE('f', 1)} GROUP BY 1, 2`,
    ledgerLeftOut,
  );
  // A purchase request by its legacy id when it resolved, else by the string MongoDB held (a template
  // ref, an external ref, or the dangling id kept as text): the key MongoDB's value spells.
  const escrow = await client.query<{ k: string | null; total: string }>(
    `SELECT COALESCE(pr.legacy_object_id, f.purchase_request_external_ref) AS k, sum(f.amount)::text AS total
       FROM funds_ledger_entries f LEFT JOIN purchase_requests pr ON pr.id = f.purchase_request_id
      WHERE ${LIVE('f', 1)} AND f.type IN ('escrow_hold', 'escrow_release') GROUP BY 1`,
    ledgerLeftOut,
  );
  const signs = await client.query<{ type: string; n: string }>(
    `SELECT f.type::text AS type, count(*)::text AS n FROM funds_ledger_entries f
      WHERE ${LIVE('f', 3)} AND ((f.type::text = ANY($1::text[]) AND f.amount > 0)
                           OR (f.type::text = ANY($2::text[]) AND f.amount < 0))
      GROUP BY 1`,
    [DEBIT_TYPES, CREDIT_TYPES, leftOut.fundsledgerentries],
  );
  return {
    payments: toMap(payments.rows),
    ledgerByType: toMap(byType.rows),
    balances: toMap(balances.rows),
    escrowNet: new Map(escrow.rows.map((r) => [groupKey(r.k), normaliseDecimal(r.total)])),
    signContradictions: new Map(signs.rows.map((r) => [r.type, r.n])),
  };
}
