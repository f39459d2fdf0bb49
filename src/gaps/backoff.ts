export interface BackoffOptions {
  /** Delay after the first failed attempt. @defaultValue 5000 */
  baseDelayMs: number;
  /** Ceiling of the exponential part. @defaultValue 3600000 (1 h) */
  maxDelayMs: number;
  /**
   * Random extra, as a fraction of the delay, so gaps that failed together (an outage) do not all come
   * due in the same instant. Up to 1, each attempt's delay stays above the previous one's (until the
   * ceiling), so `next_attempt_at` keeps growing. @defaultValue 0.5
   */
  jitter: number;
}

/**
 * How long to wait before attempt `attempts + 1`, after `attempts` failed ones (≥ 1):
 * min(max, base × 2^(attempts−1)) × (1 + jitter × random). With the defaults the first ten waits add up
 * to about 1.5 to 2 hours, long enough to ride out an ordinary outage of either store before `dead`.
 */
export function backoffDelayMs(attempts: number, options: BackoffOptions, random = Math.random): number {
  const exponent = Math.max(0, attempts - 1);
  const delay = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(exponent, 52));
  return Math.round(delay * (1 + options.jitter * random()));
}
