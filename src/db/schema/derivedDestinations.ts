import {
  bigserial,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';
import { legacyColumns, tstz } from './columns.js';
import { payments } from './payments.js';
import { mixedRefCheck, mixedRefColumns } from './refKind.js';
import { users } from './users.js';
import { DERIVED_DESTINATION_STATUSES, DESTINATION_CHAINS } from '../../legacy/enums.js';

export const destinationChain = pgEnum('destination_chain', DESTINATION_CHAINS);
export const derivedDestinationStatus = pgEnum('derived_destination_status', DERIVED_DESTINATION_STATUSES);

/**
 * `deriveddestinations`: one deposit address per (buyer, seller, chain), derived at `derivation_index`
 * of the buyer's per-chain sequence (plan §4.5; derivation_counters below hands out the next one).
 */
export const derivedDestinations = pgTable(
  'derived_destinations',
  {
    ...legacyColumns(),
    buyerId: uuid('buyer_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    ...mixedRefColumns('seller', () => users.id),
    // Required although the model does not say so: the index means nothing without its chain, and the
    // counter of plan §4.5 is keyed by it.
    chain: destinationChain('chain').notNull(),
    derivationIndex: integer('derivation_index').notNull(),
    address: text('address'),
    ...mixedRefColumns('payment', () => payments.id),
    status: derivedDestinationStatus('status'),
  },
  (t) => [
    uniqueIndex('derived_destinations_legacy_object_id_uq').on(t.legacyObjectId),
    mixedRefCheck(t, 'seller'),
    mixedRefCheck(t, 'payment'),
    uniqueIndex('derived_destinations_address_uq').on(t.address),
    /*
     * Mongo's {buyerId, sellerId, chain}, keyed on the RAW Mixed sellerId, where a missing sellerId is
     * null = null. So the seller is keyed by FK AND external ref (a template seller has a NULL FK), and
     * NULLS NOT DISTINCT (PG 15+) makes two seller-less destinations of one buyer and chain collide, as
     * in Mongo. A constraint, not an index: Drizzle has NULLS NOT DISTINCT only there, and it lets an
     * allocation say ON CONFLICT ON CONSTRAINT.
     */
    unique('uniq_destination_by_buyer_seller_chain')
      .on(t.buyerId, t.sellerId, t.sellerExternalRef, t.chain)
      .nullsNotDistinct(),
    index('derived_destinations_seller_idx').on(t.sellerId),
    index('derived_destinations_payment_idx').on(t.paymentId),
  ],
);

/** `deriveddestinations.sweepHistory[]`, in source order (`ordinal`). */
export const derivedDestinationSweeps = pgTable(
  'derived_destination_sweeps',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    destinationId: uuid('destination_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => derivedDestinations.id, { onDelete: 'cascade' }),
    ordinal: integer('ordinal').notNull(),
    txHash: text('tx_hash'),
    amount: numeric('amount', { precision: 38, scale: 18, mode: 'string' }),
    sweptAt: tstz('swept_at'),
    status: text('status'),
    legacyExtra: jsonb('legacy_extra'),
  },
  (t) => [
    uniqueIndex('derived_destination_sweeps_destination_ordinal_uq').on(t.destinationId, t.ordinal),
    index('derived_destination_sweeps_tx_hash_idx').on(t.txHash),
  ],
);

/**
 * The next free derivation index per (buyer, chain), replacing Mongo's atomic allocation (plan §4.5).
 * Not a migrated table: the deriveddestinations finalize step seeds it from the migrated maximum, and
 * allocateDerivationIndex (src/db/derivationCounter.ts) takes from it under a row lock.
 */
export const derivationCounters = pgTable(
  'derivation_counters',
  {
    buyerId: uuid('buyer_id')
      .$type<PgUuid>()
      .notNull()
      .references(() => users.id),
    chain: destinationChain('chain').notNull(),
    nextIndex: integer('next_index').notNull(),
  },
  (t) => [primaryKey({ name: 'derivation_counters_pk', columns: [t.buyerId, t.chain] })],
);
