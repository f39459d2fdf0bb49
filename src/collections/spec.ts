import type { Document } from 'mongodb';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { LegacyId, PgUuid } from '../db/ids.js';

/**
 * A collection spec says, declaratively, how one MongoDB collection becomes Postgres rows. The backfill
 * engine, the audit and the verifier are generic over specs; nothing collection-specific lives outside
 * src/collections/<name>/.
 *
 * Contract of every target table named by a spec (main and child tables):
 *   main table:  id uuid PK (= id_map.new_id), legacy_object_id text NOT NULL UNIQUE,
 *                source_updated_at timestamptz NULL (the version guard, see VersionedRow).
 *   child table: owner column (uuid FK → main.id ON DELETE CASCADE) + its own columns; the engine
 *                replaces a document's child rows wholesale on every write of that document.
 */

/** A source document as read by the raw driver (BSON wrapper types kept: Decimal128, Long, Int32, Double). */
export type LegacyDoc = Document & { _id: unknown };

/** Why a document could not become rows. Stable codes: dashboards and `rejects --retry` filter on them. */
export const REJECT_REASONS = [
  'orphan_reference', // a required reference points at a document that does not exist (hard-deleted parent)
  'invalid_reference', // a reference holds something that is not an id (wrong type, malformed string)
  'invalid_type', // a field holds a type the target column cannot take
  'invalid_money', // money that cannot be parsed, or does not fit numeric(38,18) without rounding
  'missing_field', // a required field is absent or null
  'invalid_enum', // a value outside the enum found in production
  'constraint_violation', // Postgres refused the row (unique/check) even though it mapped
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Reject {
  readonly reject: RejectReason;
  /** Human-readable, names the field: "userId 64f… has no users row (hard-deleted parent?)". */
  readonly message: string;
  readonly field?: string;
}

/** One reference from this collection to a parent collection, found at a dotted path of the document. */
export interface ReferenceSpec {
  /** Dotted path in the source document, e.g. `userId` or `deliveryInfo.addressId`. */
  readonly path: string;
  /** The parent collection's Mongo name. May be this collection itself (a self reference). */
  readonly parent: string;
  /** The path holds an array of references (`preferredSellerIds`). @defaultValue false */
  readonly many?: boolean;
  /**
   * Resolved after the rows exist, by the collection's link pass, instead of before its chunks run.
   * Required for self references and for the back edge of a cycle; the FK still exists.
   * @defaultValue false
   */
  readonly deferred?: boolean;
  /**
   * For a deferred single-valued reference: the main-table column the link pass sets. A rewritten
   * document has it cleared first, so a reference removed in Mongo is removed in Postgres too.
   */
  readonly column?: string;
  /**
   * The reference matches a parent column by value instead of by `_id` (users.level → levelconfigs.level).
   * The engine does not look it up in id_map; the FK enforces it and a miss becomes `orphan_reference`.
   */
  readonly byValue?: { readonly column: string };
}

/** What a mapper may ask while mapping one document; all lookups were batched before mapping began. */
export interface MapContext {
  /**
   * The Postgres uuid of a parent document, or undefined when the parent has no id_map row.
   * Only references declared (non-deferred) in `references` are answerable.
   */
  resolve(parent: string, legacyId: LegacyId): PgUuid | undefined;
}

/**
 * A deferred reference the mapper found; the link pass turns it into `column = uuid` on the main row,
 * or, with `junction`, into a row of that junction table (the back edge of a cycle that is an array:
 * purchaserequests.offers[] → selleroffers).
 */
export interface PendingLink {
  /** The SQL column of the main table to set, e.g. `parent_id`; ignored for junction links. */
  readonly column: string;
  readonly parent: string;
  readonly parentLegacyId: LegacyId;
  /** Key of `spec.junctions` when the link is a junction row rather than a column. */
  readonly junction?: string;
}

export interface MappedDocument {
  /**
   * The main table row keyed by Drizzle property names, WITHOUT id / legacyObjectId / sourceUpdatedAt:
   * the engine adds those.
   */
  readonly row: Record<string, unknown>;
  /** Child rows per child table name, WITHOUT the owner column (the engine adds it). */
  readonly children?: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  readonly links?: readonly PendingLink[];
  /** Migrated, but with something a reviewer should see (docs/data-policy.md): recorded, not fatal. */
  readonly anomalies?: readonly Anomaly[];
}

export const ANOMALY_CODES = [
  'dangling_reference',
  'null_array_element',
  'duplicate_array_element',
  'unrecognised_reference',
  'demoted_flag', // a flag Postgres allows once per scope (one primary address per user) was set twice
] as const;
export type AnomalyCode = (typeof ANOMALY_CODES)[number];

export interface Anomaly {
  readonly code: AnomalyCode;
  readonly field: string;
  readonly message: string;
}

export type MapResult = MappedDocument | Reject;

export const isReject = (result: MapResult): result is Reject => 'reject' in result;

export interface ChildTableSpec {
  readonly table: PgTable;
  /** Drizzle property name of the uuid column that points at the main row, e.g. `userId`. */
  readonly ownerKey: string;
}

/**
 * A junction table filled by the link pass from deferred links, e.g. purchase_request_offers. Its rows
 * for a document are deleted whenever the document is rewritten, then re-inserted by the link pass;
 * duplicates collapse on the junction's primary key.
 */
export interface JunctionSpec {
  readonly table: PgTable;
  /** Drizzle property of the column pointing at this collection's row. */
  readonly ownerKey: string;
  /** Drizzle property of the column pointing at the parent's row. */
  readonly targetKey: string;
}

/**
 * A boolean that a partial unique index allows once per scope (`addresses.primary` per user). MongoDB
 * never enforced it, so two holders exist in real data; the oldest document (smallest legacy id) keeps
 * the flag and the others migrate with it off and a `demoted_flag` anomaly (docs/data-policy.md).
 */
export interface UniqueFlagSpec {
  /** The partial unique index, e.g. `addresses_one_primary_per_user_uq`. */
  readonly constraint: string;
  /** Drizzle property of the boolean column. */
  readonly flag: string;
  /** Drizzle property of the column the flag is unique within. */
  readonly scope: string;
}

export interface CollectionSpec {
  /** The Mongo collection name (`status --json` reports it as `name`). */
  readonly collection: string;
  /** Migration phase of plan §6, for ordering docs and the board (1 = pilot). */
  readonly phase: 1 | 2 | 3 | 4 | 5;
  readonly table: PgTable;
  readonly children?: Readonly<Record<string, ChildTableSpec>>;
  readonly junctions?: Readonly<Record<string, JunctionSpec>>;
  readonly references: readonly ReferenceSpec[];
  readonly uniqueFlags?: readonly UniqueFlagSpec[];
  /** Dotted paths of fields that carry money; the audit and the verifier sum them exactly. */
  readonly moneyFields?: readonly string[];
  map(doc: LegacyDoc, ctx: MapContext): MapResult;
  /**
   * Runs once the collection is copied and linked, in the completing transaction: state derived from
   * the migrated rows (the derivation counters of plan §4.5). Must be idempotent.
   */
  finalize?(client: PoolClientLike): Promise<void>;
  /**
   * The same derived state, kept current for the documents one sync (a dual write, a gap drain, a
   * sweep) just wrote, in its transaction; finalize alone would leave it stale until the next run.
   */
  afterSync?(client: PoolClientLike, legacyIds: readonly string[]): Promise<void>;
  /**
   * The reverse mapping (rows → document, src/collections/unmapping.ts): pg-mode reads and the MongoDB
   * mirror. Mapping what it returns must give back the stored rows.
   */
  unmap?: Unmapper;
}

/** The slice of a pg client a finalize step needs (keeps src/collections free of the pg import). */
export interface PoolClientLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

type StoredRow = Record<string, unknown>;

/** What Postgres holds for one document (src/reverse/readStored.ts reads it). */
export interface StoredDocument {
  legacyId: LegacyId;
  /** The main row, keyed by Drizzle property names (numeric as exact text, timestamps as Date). */
  row: StoredRow;
  /** Per child table of the spec, its rows in source order (`ordinal` where the table has one). */
  children: Record<string, StoredRow[]>;
  /** Per junction of the spec, the legacy ids of the rows it links to (sorted). */
  junctions: Record<string, LegacyId[]>;
  /** The row is a tombstone (its document left MongoDB, or no longer maps). */
  tombstoned: boolean;
}

/** Translates a foreign key of the stored rows back to the legacy id MongoDB knows its target by. */
export type LegacyIdOf = (uuid: PgUuid | null | undefined) => LegacyId | undefined;

/**
 * The reverse mapping of a collection (rows → document), beside its mapper: what pg-mode reads return
 * and what the MongoDB mirror writes. The contract, checked for every collection by
 * test/reverse/roundTrip*.test.ts (test/support/roundTrip.ts): mapping the document it returns gives
 * back exactly the stored rows.
 */
export type Unmapper = (stored: StoredDocument, legacyIdOf: LegacyIdOf) => LegacyDoc;
