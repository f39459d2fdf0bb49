import type { Db } from '../client.js';
import { payments } from '../schema/index.js';
import { mixedRefKey } from '../schema/refKind.js';
import { PgDialect } from 'drizzle-orm/pg-core';

export type NewPayment = typeof payments.$inferInsert;

const dialect = new PgDialect();
const key = [...mixedRefKey('purchase_request'), ...mixedRefKey('seller_offer')].map(
  (part) => dialect.sqlToQuery(part).sql,
);

/**
 * The conflict target of `uniq_pending_request_network_by_buyer_session_offer`: Postgres infers a
 * partial expression index only from the same expressions and the same predicate, which Drizzle's
 * column-only `target` cannot spell, so they are written here once, from the schema's own helper.
 */
const PENDING_CHECKOUT_TARGET =
  `(buyer_id, ${key.join(', ')}, provider, direction) ` +
  `WHERE provider = 'request.network' AND direction = 'in' AND status = 'pending'`;

/**
 * Opens a pending request.network checkout once per (buyer, purchase request, offer): a second click,
 * or a retried request, returns the checkout already open instead of a duplicate (the Mongo model's
 * idempotency index, now a Postgres partial unique index).
 */
export async function openPendingCheckout(
  db: Db,
  payment: NewPayment,
): Promise<{ id: string; created: boolean }> {
  const insert = db
    .insert(payments)
    .values({ ...payment, provider: 'request.network', direction: 'in', status: 'pending' })
    .toSQL();
  const { rows } = await db.$client.query<{ id: string; created: boolean }>(
    `${insert.sql} ON CONFLICT ${PENDING_CHECKOUT_TARGET} DO UPDATE SET updated_at = payments.updated_at
     RETURNING id, (xmax = 0) AS created`,
    insert.params as unknown[],
  );
  return rows[0]!;
}
