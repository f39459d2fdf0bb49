import { getTableName } from 'drizzle-orm';
import { REGISTRY } from '../collections/registry.js';
import type { CollectionSpec } from '../collections/spec.js';
import type { WorkerDeps } from '../workers/deps.js';
import {
  countAnomalies,
  countDeletions,
  countMainRows,
  countOpenGaps,
  countOpenRejects,
  readModes,
} from './counts.js';
import { lastBackfills, type LastBackfill } from './lastBackfill.js';
import { lastVerifications, type LastVerification } from './lastVerification.js';

/**
 * One row of `strangler status` / `GET /api/collections`. The field names `name`, `mode`, `source`,
 * `migrated`, `rejected`, `deleted`, `gapsOpen` and `lastVerification` are a DESIGN.md contract (`status --json`).
 */
export interface CollectionStatus {
  /** The Mongo collection name. */
  name: string;
  phase: CollectionSpec['phase'];
  /** The Postgres main table. */
  table: string;
  mode: string;
  /**
   * MongoDB's `estimatedDocumentCount()`: collection metadata, O(1), so the status page never scans the
   * source. It can be off after an unclean shutdown; the verifier's counts are the exact ones.
   */
  source: number;
  /** Exact count of the main table's live rows: documents that exist in MongoDB and are migrated. */
  migrated: number;
  /** Open rows of migration_rejects. */
  rejected: number;
  /** Documents found gone from MongoDB (their rows removed, or tombstoned where still referenced). */
  deleted: number;
  anomalies: number;
  /** Open rows of pg_dualwrite_gaps. */
  gapsOpen: number;
  lastBackfill: LastBackfill | null;
  /** The latest finished verification of the collection (`at`, `status`, `mismatches`), or null if none. */
  lastVerification: LastVerification | null;
}

/** The default mode of a collection with no collection_modes row: nothing has been cut over yet. */
const DEFAULT_MODE = 'mongo';

/** Every registered collection, parents first, with its counts on both sides. */
export async function collectionStatuses(deps: WorkerDeps): Promise<CollectionStatus[]> {
  const specs = REGISTRY.order.map((name) => REGISTRY.get(name));
  const { db, mongo } = deps;
  const [migrated, rejected, deleted, anomalies, gaps, modes, backfills, verifications, sources] =
    await Promise.all([
      countMainRows(
        db,
        specs.map((spec) => ({ collection: spec.collection, table: spec.table })),
      ),
      countOpenRejects(db),
      countDeletions(db),
      countAnomalies(db),
      countOpenGaps(db),
      readModes(db),
      lastBackfills(db),
      lastVerifications(db.$client),
      Promise.all(specs.map((spec) => mongo.collection(spec.collection).estimatedDocumentCount())),
    ]);
  return specs.map((spec, i) => ({
    name: spec.collection,
    phase: spec.phase,
    table: getTableName(spec.table),
    mode: modes.get(spec.collection) ?? DEFAULT_MODE,
    source: sources[i] ?? 0,
    migrated: migrated.get(spec.collection) ?? 0,
    rejected: rejected.get(spec.collection) ?? 0,
    deleted: deleted.get(spec.collection) ?? 0,
    anomalies: anomalies.get(spec.collection) ?? 0,
    gapsOpen: gaps.get(spec.collection) ?? 0,
    lastBackfill: backfills.get(spec.collection) ?? null,
    lastVerification: verifications.get(spec.collection) ?? null,
  }));
}
