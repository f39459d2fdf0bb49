import { bsontype } from './bson-types.js';
import type { BSONRegExp } from 'bson';

/**
 * MongoDB regexes are PCRE; JavaScript's engine covers the patterns applications actually use. The `x`
 * (extended) flag has no JS equivalent, so whitespace and `#` comments are stripped by hand.
 */
const cache = new Map<string, RegExp>();

export function toJsRegExp(pattern: string, options: string): RegExp {
  const key = `${options}/${pattern}`;
  let re = cache.get(key);
  if (re) return re;
  let source = pattern;
  if (options.includes('x'))
    source = source.replace(/\\#|\\\s|#[^\n]*|\s+/g, (m) => (m.startsWith('\\') ? m : ''));
  const flags = [...new Set(options.replace(/[^imsu]/g, '').split(''))].join('');
  re = new RegExp(source, flags);
  if (cache.size > 1000) cache.clear();
  cache.set(key, re);
  return re;
}

export function isBsonRegExp(v: unknown): v is BSONRegExp {
  return bsontype(v) === 'BSONRegExp';
}

export function regexFromQuery(v: unknown, options = ''): RegExp {
  if (isBsonRegExp(v)) return toJsRegExp(v.pattern, options || v.options);
  if (typeof v === 'string') return toJsRegExp(v, options);
  throw new Error('$regex has to be a string');
}
