/** How shadow reads behave (createRepositories' `shadowRead*` options). */
export interface ShadowReadSettings {
  /** Share of dual-mode reads also asked of Postgres, 0..1; 0 turns shadow reads off. @defaultValue 0 */
  share: number;
  /**
   * How long after a first difference the read is asked again of both stores. Must exceed the
   * dual-write sync's usual lag, which is what most first differences are. @defaultValue 5000
   */
  recheckMs: number;
  /** Postgres reads of shadow reads (and rechecks) in flight at once; beyond, reads are skipped. @defaultValue 8 */
  maxInFlight: number;
  /** How often the in-memory counts are added to `shadow_read_counts`. @defaultValue 1000 */
  flushMs: number;
  /**
   * Differences awaiting their recheck at once. Beyond, a difference is still stored (`settling`) and
   * counted, but not rechecked: a wholly broken collection must not schedule a recheck per read.
   * @defaultValue 256
   */
  maxPendingRechecks: number;
}

export const SHADOW_READ_DEFAULTS = {
  share: 0,
  recheckMs: 5_000,
  maxInFlight: 8,
  flushMs: 1_000,
  maxPendingRechecks: 256,
} as const satisfies ShadowReadSettings;

/** Defaults filled in and ranges checked once, where the options enter. */
export function shadowReadSettings(given: Partial<ShadowReadSettings> = {}): ShadowReadSettings {
  const settings: ShadowReadSettings = { ...SHADOW_READ_DEFAULTS };
  for (const [key, value] of Object.entries(given) as [keyof ShadowReadSettings, number | undefined][])
    if (value !== undefined) settings[key] = value;
  if (!(settings.share >= 0 && settings.share <= 1))
    throw new RangeError(`shadowReadShare must be within 0..1, got ${settings.share}`);
  for (const key of ['recheckMs', 'maxInFlight', 'flushMs', 'maxPendingRechecks'] as const)
    if (!(Number.isFinite(settings[key]) && settings[key] >= 0))
      throw new RangeError(`shadow read ${key} must be a non-negative number, got ${settings[key]}`);
  return settings;
}
