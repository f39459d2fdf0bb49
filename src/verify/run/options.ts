/**
 * Options of one verification run. Defaults in one object (STYLE.md "config"); the environment's
 * VERIFY_LAG_MS overrides `lagMs` where the run is started.
 */
export interface VerifyRunOptions {
  /** Collections to verify, `all` or names (checked against the registry). @defaultValue 'all' */
  collections?: readonly string[] | 'all';
  /** Send confirmed mismatches through the dual write's sync, then recheck them. @defaultValue false */
  repair?: boolean;
  /** Who asked: the OS user (CLI), the API, `scheduler`. */
  requestedBy: string;
  /** How long a mismatch waits before each recheck (writes in flight settle meanwhile). @defaultValue 5000 */
  lagMs?: number;
  /** Documents per range job (the backfill planner's chunk size). @defaultValue 2000 */
  rangeSize?: number;
}

export const VERIFY_DEFAULTS = {
  lagMs: 5_000,
  rangeSize: 2_000,
  /** Rechecks of a mismatch that keeps changing before it is confirmed anyway. */
  generations: 3,
} as const satisfies Record<string, number>;

/**
 * Money sums and ledger invariants are global, so they are checked once per run, on the result of the
 * first of these collections the run includes (the money verdict covers both).
 */
export const MONEY_HOLDERS = ['fundsledgerentries', 'payments'] as const;

export function moneyHolder(collections: readonly string[]): string | undefined {
  return MONEY_HOLDERS.find((name) => collections.includes(name));
}
