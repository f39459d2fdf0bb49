/**
 * Recognising the raw driver's BSON wrapper values. By `_bsontype`, not `instanceof`: a second copy of
 * the bson package (mongoose's, a test's) builds values the first copy's classes do not recognise.
 */
export type BsonTypeName = 'ObjectId' | 'Decimal128' | 'Long' | 'Int32' | 'Double' | (string & {});

export function bsonTypeOf(value: unknown): BsonTypeName | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const name = (value as { _bsontype?: unknown })._bsontype;
  return typeof name === 'string' ? name : undefined;
}

export interface ObjectIdLike {
  toHexString(): string;
  getTimestamp(): Date;
}

export const isObjectId = (value: unknown): value is ObjectIdLike => bsonTypeOf(value) === 'ObjectId';

/** A sub-document as the driver returns it: an object literal, not a wrapper, Date, array or Buffer. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
