import { EJSON } from 'bson';
import { isPlainObject } from './bsonValues.js';
import { FieldReject, type Read } from './reject.js';

/**
 * Fields no model declares (docs/data-policy.md: kept, not dropped) and Mixed values, as JSON for jsonb.
 */

/** The fields a model declares: `true` for a leaf (or an array mapped elsewhere), a nested Shape for a sub-document. */
export interface Shape {
  readonly [key: string]: true | Shape;
}

/**
 * Declared on every document by Mongoose itself: `_id`, the timestamps, and `__v`, the versionKey that
 * only counts array rewrites for Mongoose's own optimistic concurrency and means nothing in Postgres.
 */
const MONGOOSE_FIELDS: Shape = { _id: true, __v: true, createdAt: true, updatedAt: true };

/**
 * The undeclared part of `value`, keeping the document's nesting, or undefined when there is none.
 * Runs once per document on the backfill's hot path: it allocates nothing when every field is declared.
 */
function undeclared(value: Record<string, unknown>, shape: Shape): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  // Own keys only, looked up as own properties, and collected into a null-prototype object: a field
  // named `__proto__`, `toString` or `hasOwnProperty` is data like any other, never a member of Object.
  for (const key of Object.keys(value)) {
    const field = value[key];
    const declared = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (declared === undefined) {
      (extra ??= Object.create(null) as Record<string, unknown>)[key] = field;
    } else if (declared !== true && isPlainObject(field)) {
      const nested = undeclared(field, declared);
      if (nested !== undefined) (extra ??= Object.create(null) as Record<string, unknown>)[key] = nested;
    }
  }
  return extra;
}

/** A document shape plus the fields Mongoose declares on every document, built once per shape. */
const withMongooseFields = new WeakMap<Shape, Shape>();
function documentShape(shape: Shape): Shape {
  let merged = withMongooseFields.get(shape);
  if (!merged) {
    merged = Object.assign(Object.create(null) as Record<string, true | Shape>, MONGOOSE_FIELDS, shape);
    withMongooseFields.set(shape, merged);
  }
  return merged;
}

/** True when a string or key inside a JSON value holds U+0000, which jsonb refuses. */
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item));
  }
  return false;
}

function toJson(value: unknown, field: string, relaxed: boolean): Read<unknown> {
  const json: unknown = EJSON.serialize(value, { relaxed });
  if (containsNul(json))
    return new FieldReject('invalid_type', field, `${field} contains NUL, which jsonb cannot store`);
  return json;
}

/**
 * `legacy_extra` of a document (or of an array element mapped to a child row): its undeclared fields as
 * canonical EJSON (`relaxed: false`), so every BSON type (Int32 vs Double, Long, Date, ObjectId,
 * Decimal128) can be turned back into exactly what Mongo held. Null when every field is declared.
 */
export function legacyExtra(
  doc: Record<string, unknown>,
  shape: Shape,
  field = 'legacy_extra',
): Read<unknown> {
  const extra = undeclared(doc, documentShape(shape));
  return extra === undefined ? null : toJson(extra, field, false);
}

/** Like legacyExtra, for an array element: Mongoose's per-element `_id` is kept (it is data there). */
export function elementExtra(element: Record<string, unknown>, shape: Shape, field: string): Read<unknown> {
  const extra = undeclared(element, shape);
  return extra === undefined ? null : toJson(extra, field, false);
}

/**
 * A Mixed field ("any JSON") for a jsonb column, as *relaxed* EJSON: plain JSON stays plain JSON for
 * the Postgres side to read, and a BSON value inside keeps its `$`-wrapper (`{"$oid": …}`). Absent and
 * null both become SQL NULL.
 */
export function mixedJson(value: unknown, field: string): Read<unknown> {
  return value === undefined || value === null ? null : toJson(value, field, true);
}
