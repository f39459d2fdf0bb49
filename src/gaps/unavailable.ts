/**
 * Whether an error says a whole store is out of reach (nothing about the document): Postgres connection
 * classes (08 connection exception, 57P0x shutdown, 53300 too many connections), a socket that failed,
 * or the MongoDB driver giving up on the server. Retrying such a batch one document at a time would
 * only repeat the outage once per document (each retry waiting out the driver's timeout).
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isStoreUnavailable);
  if (typeof error !== 'object' || error === null) return false;
  const { code, name, message, cause } = error as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (/^(08|57P0)/.test(code) || code === '53300') return true;
    if (SOCKET_ERRORS.has(code)) return true;
  }
  if (typeof name === 'string' && MONGO_UNREACHABLE.has(name)) return true;
  // node-postgres reports a dropped connection with a plain Error.
  if (typeof message === 'string' && /^Connection terminated/.test(message)) return true;
  return cause !== undefined && cause !== error && isStoreUnavailable(cause);
}

const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

const MONGO_UNREACHABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);
