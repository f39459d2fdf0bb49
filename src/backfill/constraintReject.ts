import type { Reject } from '../collections/spec.js';

export interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  message?: string;
}

/** SQLSTATE class 23: integrity constraint violations, i.e. a row Postgres refuses, not a failure to retry. */
export function isConstraintError(error: unknown): error is PgError {
  const code = (error as PgError | undefined)?.code;
  return typeof code === 'string' && code.startsWith('23');
}

/**
 * A row Postgres refuses for what it holds, not for a passing reason: class 23 (constraints) or class 22
 * (data exceptions: a value out of range, an invalid text representation). Both are the document's,
 * retrying cannot help, so they become rejects; anything else is thrown and the chunk retried.
 */
export function isRowRefusal(error: unknown): error is PgError {
  const code = (error as PgError | undefined)?.code;
  return typeof code === 'string' && (code.startsWith('23') || code.startsWith('22'));
}

/** The one place a Postgres refusal becomes a reject reason (STYLE.md §4). */
export function constraintReject(error: PgError): Reject {
  const where = `${error.constraint ? ` (${error.constraint})` : ''} [SQLSTATE ${error.code}]`;
  const detail = error.detail ? `: ${error.detail}` : '';
  if (error.code === '23503') {
    return { reject: 'orphan_reference', message: `foreign key refused${where}${detail}` };
  }
  if (error.code?.startsWith('22')) {
    return {
      reject: 'invalid_type',
      message: `Postgres refused a value: ${error.message ?? 'data exception'}${where}${detail}`,
    };
  }
  return {
    reject: 'constraint_violation',
    message: `${error.message ?? 'constraint violated'}${where}${detail}`,
  };
}
