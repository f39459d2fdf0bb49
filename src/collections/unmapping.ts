import { Decimal128, EJSON, ObjectId, type Document } from 'bson';
import type { LegacyId, PgUuid } from '../db/ids.js';
import { isPlainObject } from './mapping/bsonValues.js';
import type { LegacyDoc, LegacyIdOf, StoredDocument, Unmapper } from './spec.js';

export type { LegacyIdOf, StoredDocument, Unmapper };

type Row = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------
// Scalars
// ---------------------------------------------------------------------------------------------------

/** A legacy id as MongoDB holds it: an ObjectId for a 24-hex id, else the string `_id` it was. */
export function idValue(legacyId: LegacyId | string): ObjectId | string {
  return /^[0-9a-f]{24}$/.test(legacyId) ? new ObjectId(legacyId) : legacyId;
}

/** A foreign key as the reference MongoDB held: the target's `_id` value, or undefined for NULL. */
export function refValue(uuid: unknown, legacyIdOf: LegacyIdOf): ObjectId | string | undefined {
  const legacyId = legacyIdOf(uuid as PgUuid | null | undefined);
  return legacyId === undefined ? undefined : idValue(legacyId);
}

/** Decimal128's precision: significant digits of its coefficient. */
const DECIMAL128_DIGITS = 34;

/**
 * An exact numeric (Postgres text, `numeric(38,18)` for money) as the Decimal128 the models store, at
 * its shortest exact text: the column's scale is padding (`1234.000000000000000000` → 1234,
 * `12.500000000000000000` → 12.5), which MongoDB never held. Undefined for NULL.
 *
 * Beyond Decimal128's 34 significant digits (numeric(38,18) holds 38: an old row that held a numeric
 * STRING, which the mapper accepts exactly) the value comes back as that exact numeric string: a
 * Decimal128 would have to round it, changing money, and mapping the string again gives back the same
 * numeric, where a rounded Decimal128 would not.
 */
export function decimalValue(text: unknown): Decimal128 | string | undefined {
  if (typeof text !== 'string') return undefined;
  const exact = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  const digits = exact.replace(/^-?[0.]*/, '').replace('.', '').length;
  return digits > DECIMAL128_DIGITS ? exact : Decimal128.fromString(exact);
}

/**
 * A Mixed reference (docs/data-policy.md "Mixed references", mapping/mixed.ts) from its three columns
 * `<key>RefKind` / `<key>Id` / `<key>ExternalRef`: `entity` → the parent's `_id`, `dangling` → the
 * ObjectId it named (kept as 24-hex), `template` / `external` → the string, `none` → absent.
 */
export function mixedRefValue(row: Row, key: string, legacyIdOf: LegacyIdOf): unknown {
  const ref = row[`${key}ExternalRef`];
  switch (row[`${key}RefKind`]) {
    case 'entity':
      return refValue(row[`${key}Id`], legacyIdOf);
    case 'dangling':
      return typeof ref === 'string' ? idValue(ref) : undefined;
    case 'template':
    case 'external':
      return ref;
    default:
      return undefined;
  }
}

/**
 * A Mixed field's jsonb (relaxed EJSON, mapping/extra.ts mixedJson) → the value MongoDB held: plain
 * JSON as is, `$`-wrapped BSON values (`{"$oid": …}`, `{"$date": …}`, `{"$numberDecimal": …}`) as the
 * BSON types again, numbers as JS numbers (as the driver reads Int32/Double). SQL NULL → undefined.
 * In a documentOf field, use `mixed` instead, which also keeps the value from being compacted.
 */
export function mixedValueOf(json: unknown): unknown {
  return json === null || json === undefined
    ? undefined
    : EJSON.deserialize(json as Document, { relaxed: true });
}

// ---------------------------------------------------------------------------------------------------
// Markers for documentOf's compaction
// ---------------------------------------------------------------------------------------------------

/** A field value documentOf's compaction treats specially: built by `verbatim`, `mixed` or `present`. */
export class Kept {
  /** @internal Use verbatim / mixed / present. */
  constructor(
    readonly value: unknown,
    /** Compact inside (a sub-document kept even when empty), or keep as is (a Mixed value). */
    readonly compactInside: boolean,
  ) {}
}

/** `value` kept exactly as it is by documentOf: its nulls and empty objects are data, not absence. */
export function verbatim(value: unknown): Kept {
  return new Kept(value, false);
}

/**
 * A Mixed field (free-form JSON in a jsonb column) for documentOf: its value (mixedValueOf) kept
 * verbatim, `{ note: null }` and `{}` included, as the jsonb holds them; SQL NULL → absent.
 */
export function mixed(json: unknown): Kept | undefined {
  const value = mixedValueOf(json);
  return value === undefined ? undefined : verbatim(value);
}

/**
 * A sub-document that was present, for documentOf: its NULL fields are dropped as usual, but it comes
 * back as `{}` when none is left, instead of being dropped. For a sub-document whose presence is a row
 * (a 1:1 child table: `deliveryInfo: {}` has a pr_delivery_info row with every field NULL); pass
 * undefined (no row) to leave it absent: `deliveryInfo: row && present({ … })`.
 */
export function present(fields: Record<string, unknown>): Kept {
  return new Kept(fields, true);
}

// ---------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------

/**
 * A document from the fields the rows give, and the legacy fields kept in `legacy_extra` (canonical
 * EJSON, mapping/extra.ts legacyExtra):
 *
 * - **compacted**: a field undefined or null in the rows is left out (MongoDB documents omit a field
 *   rather than store null, and the mapper reads an absent field and a null one alike), and so is a
 *   sub-document left empty, unless it is marked `present`. A `verbatim` / `mixed` value is kept
 *   whole: nulls and `{}` inside a Mixed value are data. Array elements are kept as built, at their
 *   index (undefined as null): an element is a document of its own (documentOf of its child row, with
 *   its own legacy_extra), and an empty one (`{}`) must stay `{}`, not become the null the mapper skips.
 * - **merged deeply with legacy_extra**: the undeclared fields come back at every level, an undeclared
 *   key nested in a declared sub-document (`profile.nickname`) included; they come first, in
 *   legacy_extra's order. Declared fields win (legacy_extra never holds one), and only plain
 *   sub-documents are merged: a Mixed value is declared, so never meets legacy_extra.
 */
export function documentOf(fields: Record<string, unknown>, legacyExtra?: unknown): LegacyDoc {
  const extra = legacyExtraOf(legacyExtra);
  const built = (compact(fields) ?? {}) as Record<string, unknown>;
  return mergeDeep(extra, built) as LegacyDoc;
}

/** `legacy_extra` (canonical EJSON) as the BSON values it holds; {} for NULL. */
function legacyExtraOf(legacyExtra: unknown): Record<string, unknown> {
  return legacyExtra && typeof legacyExtra === 'object'
    ? (EJSON.deserialize(legacyExtra as Document, { relaxed: false }) as Record<string, unknown>)
    : {};
}

/**
 * `over` laid over `under`, key by key, into the plain sub-documents both hold: `under`'s keys first
 * (in its order), `over`'s value wins everywhere else.
 */
function mergeDeep(under: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...under };
  for (const [key, value] of Object.entries(over)) {
    const below = out[key];
    out[key] = isPlainObject(below) && isPlainObject(value) ? mergeDeep(below, value) : value;
  }
  return out;
}

/** documentOf's compaction of one value: undefined for what is left out. */
function compact(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Kept) return value.compactInside ? (compact(value.value) ?? {}) : value.value;
  if (Array.isArray(value)) return value.map((element: unknown) => element ?? null);
  if (!isPlainObject(value)) return value; // a scalar, Date or BSON value
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const kept = compact(inner);
    if (kept !== undefined) out[key] = kept;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * Child rows back into the source array, each at its `ordinal` (its index there): the elements the
 * mapper skipped before or between them (nulls, repeats, references to documents that are gone) come
 * back as null, so mapping the array again gives the same ordinals. Skipped elements after the last
 * row left no ordinal, and do not come back.
 */
export function atOrdinals<T>(rows: readonly Row[], element: (row: Row) => T): (T | null)[] {
  const out: (T | null)[] = [];
  for (const row of rows) {
    while (out.length < (row.ordinal as number)) out.push(null);
    out.push(element(row));
  }
  return out;
}
