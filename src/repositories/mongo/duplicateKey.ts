import { DomainRuleError, type Id } from '../domain/common.js';

/**
 * MongoDB's duplicate-key failure (E11000), read two ways. On a standalone MongoDB a unique index is the
 * only thing that decides a race between two writers, so the repositories take it as an answer
 * ("someone wrote this first"), never as a failure.
 */

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

/** Whether the error is a duplicate key, on the named index when one is given. */
export function brokeUniqueIndex(error: unknown, index?: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code !== 11000) return false;
  // The server names the index in its message ("… index: <name> dup key: …"), mongod and embedded alike.
  return index === undefined || (typeof message === 'string' && message.includes(`index: ${index} `));
}

/**
 * Rethrows a write's error, a duplicate key as the caller's: a DomainRuleError naming the fields of
 * the unique index it broke ("email already taken"). Anything else is thrown as it came.
 */
export function refuseDuplicate(collection: string, id: Id | null, error: unknown): never {
  const fields = duplicateKeyFields(error);
  if (fields) throw new DomainRuleError(collection, id, `${fields.join(', ')} already taken`);
  throw error;
}

/** Saves a new document; a duplicate key becomes a DomainRuleError naming the fields (refuseDuplicate). */
export async function saveUnique(collection: string, document: { save(): Promise<unknown> }): Promise<void> {
  try {
    await document.save();
  } catch (error) {
    refuseDuplicate(collection, null, error);
  }
}
