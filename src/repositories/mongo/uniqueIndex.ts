/**
 * A MongoDB duplicate-key failure (E11000), optionally on one named index. The money repositories take
 * it as the answer of an idempotent write ("someone wrote this first"), never as a failure: on a
 * standalone MongoDB a unique index is the only thing that decides a race between two writers.
 */
export function brokeUniqueIndex(error: unknown, index?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 11000) return false;
  // The server names the index in its message ("… index: <name> dup key: …"), mongod and embedded alike.
  return index === undefined || (typeof message === 'string' && message.includes(`index: ${index} `));
}
