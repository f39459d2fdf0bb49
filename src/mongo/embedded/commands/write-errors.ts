import type { Doc } from '../bson-types.js';
import { CommandError } from '../errors.js';

/**
 * Per-statement failures of insert/update/delete are reported in `writeErrors` with the statement's
 * index; ordered batches stop at the first one, unordered batches carry on.
 */
export function writeError(index: number, err: unknown): Doc {
  if (err instanceof CommandError) return { index, code: err.code, errmsg: err.message, ...err.extra };
  throw err;
}

export function writeReply(n: number, writeErrors: Doc[], extra: Doc = {}): Doc {
  return { n, ...extra, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
}
