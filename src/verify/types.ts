import type { MismatchKind } from '../db/schema/verification.js';

export type { MismatchKind };

/** Both sides of one differing column (or child table, or link), as canonical text. */
export interface ColumnDetail {
  readonly mongo: string | null;
  readonly pg: string | null;
}

/** One document whose Postgres rows are not what its MongoDB document maps to. */
export interface Mismatch {
  /** The legacy id as `legacy_object_id` holds it (canonical Extended JSON for an `_id` no row can take). */
  readonly legacyId: string;
  /**
   * The BSON `_id`, so a repair can sync the document; for an `extra` row (no document any more) the
   * `_id` its legacy id spells (src/verify/idOfLegacyId.ts), so the sync finds it gone and retires the row.
   */
  readonly id: unknown;
  readonly kind: MismatchKind;
  /** Differing SQL columns of the main table, then differing child/junction table names. */
  readonly columns: string[];
  readonly detail: Record<string, ColumnDetail>;
}

/**
 * Documents set aside from the comparison, each for a stated reason (never matched silently):
 * `rejected` an open migration_rejects row explains the absence of a live row; `deleted` a tombstone
 * whose document left MongoDB; `gapOpen` an open or dead pg_dualwrite_gaps row says the stores are known
 * to differ until the gap drains.
 */
export interface Accounted {
  rejected: number;
  deleted: number;
  gapOpen: number;
}

export interface Comparison {
  /** Documents and rows put through the comparison (accounted ones excluded). */
  compared: number;
  matched: number;
  accounted: Accounted;
  mismatches: Mismatch[];
  /** sha256 of each side's canonical tuples; equal hashes skip the per-document drill-down. */
  hashes: { mongo: string; pg: string };
}

export type RangeVerdict = Comparison;
