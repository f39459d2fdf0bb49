import type { Reject } from '../collections/spec.js';

interface PgError {
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

/** The one place a Postgres refusal becomes a reject reason (STYLE.md §4). */
export function constraintReject(error: PgError): Reject {
  const where = error.constraint ? ` (${error.constraint})` : '';
  const detail = error.detail ? `: ${error.detail}` : '';
  if (error.code === '23503') {
    return { reject: 'orphan_reference', message: `foreign key refused${where}${detail}` };
  }
  return {
    reject: 'constraint_violation',
    message: `${error.message ?? 'constraint violated'}${where}${detail}`,
  };
}
