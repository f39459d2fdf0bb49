import type { Binary, Decimal128, ObjectId } from 'bson';
import { bsontype, isPlainObject } from './bson-types.js';
import { toDouble } from './numeric.js';

/** Values rendered the way MongoDB prints them in error messages ({ email: "a@b.c" }, ObjectId('…')). */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  switch (bsontype(v)) {
    case 'ObjectId':
      return `ObjectId('${(v as ObjectId).toHexString()}')`;
    case 'Decimal128':
      return `Decimal128('${(v as Decimal128).toString()}')`;
    case 'Long':
      return String(v);
    case 'Int32':
    case 'Double':
      return String(toDouble(v));
    case 'Binary':
      return `BinData(${(v as Binary).sub_type}, ${Buffer.from((v as Binary).buffer).toString('hex')})`;
    default:
      break;
  }
  if (isPlainObject(v)) return formatDoc(v);
  return String(v);
}

export function formatDoc(doc: Record<string, unknown>): string {
  const entries = Object.entries(doc);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')} }`;
}
