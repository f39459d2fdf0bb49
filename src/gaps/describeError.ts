/**
 * The one place a failure becomes a gap's `last_error` (STYLE.md §4): the collection and the legacy id
 * first, so the line reads alone in a log or a table, then the message, then what Postgres or the
 * socket said about it: the SQLSTATE (and constraint) of a Postgres error, or the errno code of a
 * connection that never came up (ECONNREFUSED, ETIMEDOUT…).
 */
export function describeGapError(collection: string, legacyId: string, error: unknown): string {
  return `${collection} ${legacyId}: ${describeCause(error)}`;
}

interface ErrorFields {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  cause?: unknown;
  name?: unknown;
}

/**
 * Postgres reports SQLSTATE as five digits or upper-case letters, always with a digit; node's socket
 * errors use E-prefixed names, some of them five letters long (EPIPE).
 */
const SQLSTATE = /^(?=.*[0-9])[0-9A-Z]{5}$/;

export function describeCause(error: unknown): string {
  // `localhost` tried on ::1 and 127.0.0.1 fails as an AggregateError whose own message is empty.
  if (error instanceof AggregateError && error.errors.length > 0 && !error.message) {
    return describeCause(error.errors[0]);
  }
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, constraint, message, cause, name } = error as ErrorFields;
  // A wrapper (a query builder's error, say) carries the Postgres error as its cause.
  if (code === undefined && cause !== undefined) {
    const own = typeof message === 'string' && message ? `${message}: ` : '';
    return `${own}${describeCause(cause)}`;
  }
  const bare = typeof message === 'string' && message ? message : String(code ?? error);
  // The driver's error class says more than its message ("Topology is closed"); pg's is just "error".
  const text =
    typeof name === 'string' && /^[A-Z]\w*Error$/.test(name) && name !== 'Error' ? `${name}: ${bare}` : bare;
  const tags: string[] = [];
  if (typeof code === 'string' && SQLSTATE.test(code)) tags.push(`SQLSTATE ${code}`);
  else if (typeof code === 'string' && !text.includes(code)) tags.push(code);
  if (typeof constraint === 'string' && constraint) tags.push(`constraint ${constraint}`);
  return tags.length > 0 ? `${text} [${tags.join(', ')}]` : text;
}
