import type { AnomalyCode, RejectReason } from '../collections/spec.js';
import { hash32 } from './prng.js';

/**
 * What docs/data-policy.md predicts for a quirky document. The backfill tests hold the migration to these
 * labels, so each one is the policy's answer, not a guess: change the policy, change the label.
 */
export type QuirkExpectation =
  | { outcome: 'migrated' }
  | {
      outcome: 'migrated';
      anomaly: AnomalyCode;
    }
  | { outcome: 'rejected'; reason: RejectReason };

/** One quirky source document and its predicted outcome. Documents without a record migrate cleanly. */
export interface QuirkRecord {
  collection: string;
  /** The legacy id as text: ObjectId hex, or the string `_id` itself. */
  id: string;
  quirk: string;
  expect: QuirkExpectation;
}

export const MIGRATED: QuirkExpectation = { outcome: 'migrated' };
export const dangling: QuirkExpectation = { outcome: 'migrated', anomaly: 'dangling_reference' };
export const nullElement: QuirkExpectation = { outcome: 'migrated', anomaly: 'null_array_element' };
export const duplicateElement: QuirkExpectation = { outcome: 'migrated', anomaly: 'duplicate_array_element' };
/** A Mixed reference holding a string that is neither an id nor a `tmpl_…` ref: kept as `external`. */
export const unrecognised: QuirkExpectation = { outcome: 'migrated', anomaly: 'unrecognised_reference' };
/** A second holder of a once-per-scope flag (a second primary address): the oldest keeps it. */
export const demotedFlag: QuirkExpectation = { outcome: 'migrated', anomaly: 'demoted_flag' };
export const rejected = (reason: RejectReason): QuirkExpectation => ({ outcome: 'rejected', reason });

/**
 * How many of a collection's `count` documents carry a quirk: `rate` of them, but at least one per quirk
 * kind (capped at a third of the collection) so that small collections (levelconfigs, categories) still
 * show every kind at moderate N. Zero when the rate is zero.
 */
export function quirkyCount(count: number, rate: number, kinds: number): number {
  if (rate <= 0 || count === 0 || kinds === 0) return 0;
  return Math.min(count, Math.max(Math.round(count * rate), Math.min(kinds, Math.floor(count / 3))));
}

/**
 * Which quirk slot, if any, document `index` holds. The collection is cut into `quirky` equal slots and
 * one document at a hashed position inside each slot is quirky: the rate is exact, quirks are spread
 * over the whole `_id` range (every backfill chunk sees some), and the answer for one index is O(1) and
 * needs no state, which keeps generation per batch in bounded memory.
 */
export function quirkSlot(count: number, quirky: number, salt: number, index: number): number | undefined {
  if (quirky === 0) return undefined;
  const slot = Math.floor((index * quirky) / count);
  const start = Math.ceil((slot * count) / quirky);
  const end = Math.ceil(((slot + 1) * count) / quirky);
  // Never the very first document: it has no earlier sibling, so reference quirks there would not be eligible.
  const skip = start === 0 && end > 1 ? 1 : 0;
  return index === start + skip + (hash32(salt, slot) % (end - start - skip)) ? slot : undefined;
}
