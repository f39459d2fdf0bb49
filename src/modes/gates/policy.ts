/**
 * How strict the cutover gates are. The defaults suit production (plan §7: a week of clean shadow reads
 * and a week's soak in `pg` before MongoDB is let go); tests and the demo pass seconds.
 */
export interface CutoverPolicy {
  /** The last verification must be green and at most this old. @defaultValue 24 h */
  readonly verificationMaxAgeMs: number;
  /** No open gap may be older than this: a gap that old is stuck, not settling. @defaultValue 15 min */
  readonly gapMaxAgeMs: number;
  /** Time in `dual` with zero confirmed shadow-read mismatches before `pg`. @defaultValue 7 days */
  readonly shadowWindowMs: number;
  /** Time in `pg` before `decommissioned`. @defaultValue 7 days */
  readonly soakMs: number;
}

const DAY = 24 * 60 * 60 * 1000;

export const DEFAULT_CUTOVER_POLICY: CutoverPolicy = {
  verificationMaxAgeMs: DAY,
  gapMaxAgeMs: 15 * 60 * 1000,
  shadowWindowMs: 7 * DAY,
  soakMs: 7 * DAY,
};

/** The policy the environment sets (src/config/env.ts `CUTOVER_*`). */
export function cutoverPolicyOf(config: {
  CUTOVER_VERIFICATION_MAX_AGE_MS: number;
  CUTOVER_GAP_MAX_AGE_MS: number;
  CUTOVER_SHADOW_WINDOW_MS: number;
  CUTOVER_SOAK_MS: number;
}): CutoverPolicy {
  return {
    verificationMaxAgeMs: config.CUTOVER_VERIFICATION_MAX_AGE_MS,
    gapMaxAgeMs: config.CUTOVER_GAP_MAX_AGE_MS,
    shadowWindowMs: config.CUTOVER_SHADOW_WINDOW_MS,
    soakMs: config.CUTOVER_SOAK_MS,
  };
}
