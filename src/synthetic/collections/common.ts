import type { Document } from 'mongodb';
import type { Rng } from '../prng.js';

/** Applied by every collection's `unknown_field` quirk: fields that no model declares any more. */
export function withUnknownFields(doc: Document, rng: Rng): Document {
  return { ...doc, legacyFlag: rng.chance(0.5), oldScore: rng.int(1000) / 10 };
}

/**
 * Mongoose timestamps for a document created at `createdMs`: updatedAt a little later, never after the
 * epoch end. `missing` drops both, as on documents written before the timestamps plugin was enabled.
 */
export function timestamps(
  rng: Rng,
  createdMs: number,
  endMs: number,
  missing: boolean,
): { createdAt?: Date; updatedAt?: Date } {
  if (missing) return {};
  const updatedMs = rng.chance(0.6) ? createdMs : Math.min(endMs, createdMs + rng.int(200 * 86_400_000));
  return { createdAt: new Date(createdMs), updatedAt: new Date(updatedMs) };
}
