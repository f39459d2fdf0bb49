/**
 * Field access by a key that came from a client. Documents are plain objects, so `doc[key]` would read
 * `Object.prototype` for keys like `constructor` or `toString`, and `doc['__proto__'] = v` would replace
 * the document's prototype (or, one level down, write onto the server process's `Object.prototype`).
 * Every read or write whose key a client controls goes through these instead: a field named `__proto__`
 * or `constructor` is then an ordinary field, stored and returned like any other, as in MongoDB.
 */
export type Fields = Record<string, unknown>;

/** The value of an own field, or undefined: inherited properties are not fields. */
export function getOwn(obj: Fields, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function hasOwn(obj: Fields, key: string): boolean {
  return Object.hasOwn(obj, key);
}

/** Sets (or adds, last in order) an own field; `__proto__` becomes a field, never the prototype. */
export function setOwn(obj: Fields, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else obj[key] = value;
}

/** Object.assign without the `__proto__` setter: copies own enumerable fields of `from` into `to`. */
export function assignOwn(to: Fields, from: Fields): Fields {
  for (const key of Object.keys(from)) setOwn(to, key, from[key]);
  return to;
}
