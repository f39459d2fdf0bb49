/**
 * SQLSTATEs after which the whole transaction may simply run again: Postgres aborted all of it, so
 * nothing was committed. A deadlock is expected now and then, not a bug to design away: a sync touches
 * rows beyond the documents it locks (the link pass sets the references of rows waiting for it), so a
 * bulk chunk and a sync can each hold a row the other needs, and Postgres picks one to abort.
 */
const RETRYABLE = new Set(['40P01' /* deadlock_detected */, '40001' /* serialization_failure */]);

/** How many times a transaction aborted that way is run in all. */
export const TRANSACTION_ATTEMPTS = 3;

export function isRetryableAbort(error: unknown): boolean {
  return RETRYABLE.has((error as { code?: string } | null)?.code ?? '');
}

/**
 * A short random pause before running an aborted transaction again, so the two sides of a deadlock do
 * not meet in the same order a second time.
 */
export function pauseBeforeRetry(attempt: number): Promise<void> {
  const ms = Math.random() * 20 * attempt;
  return new Promise((resolve) => setTimeout(resolve, ms));
}
