/**
 * The fields of the unique index a write broke (MongoDB's E11000 `keyPattern`), or undefined when the
 * error is not a duplicate key at all.
 */
export function duplicateKeyFields(error: unknown): string[] | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, keyPattern } = error as { code?: unknown; keyPattern?: unknown };
  if (code !== 11000) return undefined;
  if (typeof keyPattern === 'object' && keyPattern !== null) return Object.keys(keyPattern);
  return [];
}
