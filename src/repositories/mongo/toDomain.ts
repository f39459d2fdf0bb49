import { Decimal128, ObjectId } from 'bson';
import type { DomainObject } from '../domain/common.js';

/**
 * A lean MongoDB document as a domain object: `_id` becomes `id`, ObjectIds become their hex, Decimal128
 * its exact decimal string, `__v` goes; everything else is kept as stored. `privateFields` are dropped
 * by `toJSON()` (the legacy schemas' transform), never from the object itself: a service may need the
 * password hash, a response must not carry it.
 */
export function toDomain<T extends DomainObject>(
  document: Record<string, unknown>,
  privateFields: readonly string[] = [],
): T {
  const plain = plainValue(document) as Record<string, unknown>;
  const { _id, __v, ...rest } = plain;
  void __v;
  const domain: Record<string, unknown> = { id: _id, ...rest };
  Object.defineProperty(domain, 'toJSON', {
    enumerable: false,
    value: () => {
      const json: Record<string, unknown> = { ...domain };
      for (const field of privateFields) delete json[field];
      return json;
    },
  });
  return domain as T;
}

function plainValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof ObjectId) return value.toHexString();
  if (value instanceof Decimal128) return value.toString();
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(plainValue);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return value;
  const bsonType = (value as { _bsontype?: string })._bsontype;
  if (bsonType === 'ObjectId' || bsonType === 'ObjectID')
    return String((value as { toHexString(): string }).toHexString());
  if (bsonType === 'Decimal128') return String(value);
  if (bsonType !== undefined) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = plainValue(inner);
  return out;
}

/** A Mixed reference as MongoDB holds it: a 24-hex id is an ObjectId, anything else stays a string. */
export function mixedRef(value: string | null | undefined): ObjectId | string | null | undefined {
  if (value === null || value === undefined) return value;
  return ObjectId.isValid(value) && /^[0-9a-f]{24}$/i.test(value) ? new ObjectId(value) : value;
}
