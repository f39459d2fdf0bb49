/**
 * The queues, as Bull Board and `strangler worker --queues` name them.
 *   backfill: run/collection/chunk/link jobs that copy Mongo into Postgres
 *   gaps:     replays of failed dual-writes (pg_dualwrite_gaps)
 *   verify:   row counts, checksums, money sums, audits
 *   sweep:    the scheduled delta sweep, the backstop for dual writes lost with their process
 */
export const QUEUE_NAMES = ['backfill', 'gaps', 'verify', 'sweep'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}
