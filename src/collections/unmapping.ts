import { Decimal128, EJSON, ObjectId } from 'bson';
import type { LegacyId, PgUuid } from '../db/ids.js';
import type { LegacyDoc } from './spec.js';

type Row = Record<string, unknown>;

/** What Postgres holds for one document (src/reverse/readStored.ts reads it). */
export interface StoredDocument {
  legacyId: LegacyId;
  /** The main row, keyed by Drizzle property names (numeric as exact text, timestamps as Date). */
  row: Row;
  /** Per child table of the spec, its rows in source order (`ordinal` where the table has one). */
  children: Record<string, Row[]>;
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
 * test/reverse/roundTrip.test.ts: mapping the document it returns gives back exactly the stored rows.
 */
export type Unmapper = (stored: StoredDocument, legacyIdOf: LegacyIdOf) => LegacyDoc;

/** A legacy id as MongoDB holds it: an ObjectId for a 24-hex id, else the string `_id` it was. */
export function idValue(legacyId: LegacyId | string): ObjectId | string {
  return /^[0-9a-f]{24}$/.test(legacyId) ? new ObjectId(legacyId) : legacyId;
}

/** A foreign key as the reference MongoDB held: the target's `_id` value, or undefined for NULL. */
export function refValue(uuid: unknown, legacyIdOf: LegacyIdOf): ObjectId | string | undefined {
  const legacyId = legacyIdOf(uuid as PgUuid | null | undefined);
  return legacyId === undefined ? undefined : idValue(legacyId);
}

/** An exact numeric (text) as the Decimal128 the models store; undefined for NULL. */
export function decimalValue(text: unknown): Decimal128 | undefined {
  return typeof text === 'string' ? Decimal128.fromString(text) : undefined;
}

/**
 * A document without the fields that are undefined or null in the rows: MongoDB documents omit a field
 * rather than store null, and the mapper reads an absent field and a null one alike. Nested objects
 * left empty are dropped too. The legacy fields kept in `legacy_extra` (canonical EJSON) come back.
 */
export function documentOf(fields: Record<string, unknown>, legacyExtra?: unknown): LegacyDoc {
  const extra =
    legacyExtra && typeof legacyExtra === 'object'
      ? (EJSON.deserialize(legacyExtra as Record<string, unknown>, { relaxed: false }) as Record<
          string,
          unknown
        >)
      : {};
  return { ...extra, ...(compact(fields) as Record<string, unknown>) } as LegacyDoc;
}

function compact(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((element) => compact(element) ?? null);
  if (typeof value !== 'object' || value instanceof Date || '_bsontype' in (value as object)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const kept = compact(inner);
    if (kept !== undefined) out[key] = kept;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}
