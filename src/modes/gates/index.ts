import type { Db } from '../../db/client.js';
import { assertNever } from '../machine.js';
import { backfillGate } from './backfill.js';
import { gapAgeGate } from './gapAge.js';
import type { Gate, GateProvider } from './gate.js';
import { parentsGate } from './parents.js';
import { DEFAULT_CUTOVER_POLICY, type CutoverPolicy } from './policy.js';
import { shadowReadsGate } from './shadowReads.js';
import { timeInModeGate } from './timeInMode.js';
import { unsettledGapsGate } from './unsettledGaps.js';
import { verificationGate } from './verification.js';

export * from './gate.js';
export { cutoverPolicyOf, DEFAULT_CUTOVER_POLICY, type CutoverPolicy } from './policy.js';

/**
 * The gates of each forward move (plan §7 and §8), evaluated in parallel; a back move has none.
 * - `mongo → dual`: the backfill completed (dual writes keep up a copy; they do not make one).
 * - `dual → pg`: the backfill completed; the last verification is green and fresh; no gap is stuck;
 *   the shadow-read window is clean and long enough; every parent is already in `pg`; no forward gap
 *   is open.
 * - `pg → decommissioned`: the last verification is green and fresh; no gap is stuck; no reverse gap
 *   is open; the collection soaked in `pg`.
 */
export function cutoverGates(db: Db, policy: CutoverPolicy = DEFAULT_CUTOVER_POLICY): GateProvider {
  const pool = db.$client;
  return async (collection, _from, to): Promise<readonly Gate[]> => {
    switch (to) {
      case 'dual':
        return Promise.all([backfillGate(pool, collection)]);
      case 'pg':
        return Promise.all([
          backfillGate(pool, collection),
          verificationGate(pool, collection, policy.verificationMaxAgeMs),
          gapAgeGate(pool, collection, policy.gapMaxAgeMs),
          shadowReadsGate(pool, collection, policy.shadowWindowMs),
          timeInModeGate(pool, collection, 'dual', policy.shadowWindowMs),
          parentsGate(pool, collection),
          unsettledGapsGate(pool, collection, 'forward'),
        ]);
      case 'decommissioned':
        return Promise.all([
          verificationGate(pool, collection, policy.verificationMaxAgeMs),
          gapAgeGate(pool, collection, policy.gapMaxAgeMs),
          unsettledGapsGate(pool, collection, 'reverse'),
          timeInModeGate(pool, collection, 'pg', policy.soakMs),
        ]);
      case 'mongo':
        return [];
      default:
        return assertNever(to, 'collection mode');
    }
  };
}

/**
 * Only the gates that protect the data itself, for drills and tests that move modes without running
 * verifications: into `pg` no forward gap may be open, into `decommissioned` no reverse gap.
 */
export function gapGates(db: Db): GateProvider {
  const pool = db.$client;
  return async (collection, _from, to) => {
    switch (to) {
      case 'pg':
        return [await unsettledGapsGate(pool, collection, 'forward')];
      case 'decommissioned':
        return [await unsettledGapsGate(pool, collection, 'reverse')];
      case 'mongo':
      case 'dual':
        return [];
      default:
        return assertNever(to, 'collection mode');
    }
  };
}
