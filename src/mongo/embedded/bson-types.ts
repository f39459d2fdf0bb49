/**
 * Classifying deserialized BSON values. Documents are deserialized with `promoteValues: false`, so numbers
 * arrive as Int32 / Double / Long / Decimal128 wrappers and keep their stored type; everything here keys
 * off `_bsontype` rather than `instanceof` so values from any copy of the bson package classify the same.
 */
export type Doc = Record<string, unknown>;

/** BSON element type numbers, as `$type` and the wire format use them. */
export const BsonType = {
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  dbPointer: 12,
  javascript: 13,
  symbol: 14,
  javascriptWithScope: 15,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
} as const;

export function bsontype(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const t = (v as { _bsontype?: unknown })._bsontype;
  return typeof t === 'string' ? t : undefined;
}

export function typeNumber(v: unknown): number {
  if (v === null) return BsonType.null;
  if (v === undefined) return BsonType.undefined;
  switch (typeof v) {
    case 'string':
      return BsonType.string;
    case 'boolean':
      return BsonType.bool;
    case 'number':
      return BsonType.double;
    case 'bigint':
      return BsonType.long;
    case 'object':
      break;
    default:
      return BsonType.object;
  }
  if (Array.isArray(v)) return BsonType.array;
  if (v instanceof Date) return BsonType.date;
  switch (bsontype(v)) {
    case 'Int32':
      return BsonType.int;
    case 'Double':
      return BsonType.double;
    case 'Long':
      return BsonType.long;
    case 'Decimal128':
      return BsonType.decimal;
    case 'ObjectId':
      return BsonType.objectId;
    case 'Binary':
      return BsonType.binData;
    case 'BSONRegExp':
      return BsonType.regex;
    case 'Timestamp':
      return BsonType.timestamp;
    case 'MinKey':
      return BsonType.minKey;
    case 'MaxKey':
      return BsonType.maxKey;
    case 'Code':
      return (v as { scope?: unknown }).scope ? BsonType.javascriptWithScope : BsonType.javascript;
    case 'BSONSymbol':
      return BsonType.symbol;
    default:
      return BsonType.object;
  }
}

/**
 * Mongo's canonical type order for comparisons and sorting: MinKey < undefined < null < numbers < string <
 * object < array < BinData < ObjectId < bool < Date < Timestamp < RegExp < code < MaxKey. All numeric types
 * share one rank (they compare by value), as do string and symbol.
 */
export function typeRank(v: unknown): number {
  switch (typeNumber(v)) {
    case BsonType.minKey:
      return 0;
    case BsonType.undefined:
      return 1;
    case BsonType.null:
      return 2;
    case BsonType.double:
    case BsonType.int:
    case BsonType.long:
    case BsonType.decimal:
      return 3;
    case BsonType.string:
    case BsonType.symbol:
      return 4;
    case BsonType.object:
      return 5;
    case BsonType.array:
      return 6;
    case BsonType.binData:
      return 7;
    case BsonType.objectId:
      return 8;
    case BsonType.bool:
      return 9;
    case BsonType.date:
      return 10;
    case BsonType.timestamp:
      return 11;
    case BsonType.regex:
      return 12;
    case BsonType.dbPointer:
      return 13;
    case BsonType.javascript:
      return 14;
    case BsonType.javascriptWithScope:
      return 15;
    default:
      return 16; // maxKey
  }
}

export const NUMBER_RANK = 3;

export function isNumeric(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  const t = bsontype(v);
  return t === 'Int32' || t === 'Double' || t === 'Long' || t === 'Decimal128';
}

/** A plain embedded document (not an array, not a BSON wrapper, not a Date). */
export function isPlainObject(v: unknown): v is Doc {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) return false;
  const t = bsontype(v);
  return t === undefined || t === 'DBRef';
}

/**
 * The fields of a DBRef as stored ({$ref, $id, $db, ...extra}): the bson package decodes such a document
 * into a DBRef instance whose own properties are named differently. Other values are returned as they are.
 */
export function dbrefFields(v: unknown): unknown {
  if (bsontype(v) !== 'DBRef') return v;
  return (v as { toJSON(): Doc }).toJSON();
}

/** `$type` accepts numbers and these aliases; 'number' matches any numeric type. */
export const TYPE_ALIASES: Readonly<Record<string, number>> = BsonType;
