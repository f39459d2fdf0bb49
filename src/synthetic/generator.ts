import type { Document, IndexDescription } from 'mongodb';
import type { QuirkExpectation } from './quirks.js';
import type { Epoch, Population, SeedPlan } from './plan.js';

/** Every collection can carry this quirk; the plan substitutes it where another kind is not eligible. */
export const FALLBACK_QUIRK = 'unknown_field';

/** [start, end) in epoch milliseconds: documents' creation times are spread evenly over it, by index. */
export interface TimeWindow {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * One source collection's generator. Adding a collection is one file exporting one of these and one line
 * in registry.ts. `generate` must be a pure function of (plan, index): no state between calls, so any
 * batch can be produced alone and the output never depends on the batch size.
 */
export interface CollectionGenerator {
  readonly name: string;
  /** Quirk kinds with the outcome docs/data-policy.md predicts; must include FALLBACK_QUIRK. */
  readonly quirks: Readonly<Record<string, QuirkExpectation>>;
  /** The production indexes of legacy-schema.md, created before inserting so they police the quirks too. */
  readonly indexes: readonly IndexDescription[];
  window(epoch: Epoch): TimeWindow;
  /** At most this many documents, whatever the share (one shop per seller). */
  cap?(population: Population): number;
  /**
   * False when `kind` at `index` would not produce the labelled outcome (a second primary address needs
   * a clean first one); the plan then uses FALLBACK_QUIRK. Must only look at lower indexes.
   */
  eligible?(plan: SeedPlan, index: number, kind: string): boolean;
  /** Document `index`, carrying `quirk` when given. Its `_id` must be `plan.idOf(name, index)` or a string. */
  generate(plan: SeedPlan, index: number, quirk: string | undefined): Document;
}
