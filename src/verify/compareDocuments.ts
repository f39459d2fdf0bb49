import type pg from 'pg';
import type { CollectionSpec, LegacyDoc } from '../collections/spec.js';
import { openRejects, unsettledGaps } from './accounting.js';
import { diffTuples } from './diff.js';
import { idOfLegacyId } from './idOfLegacyId.js';
import { mapDocuments } from './mongoSide.js';
import { readRows } from './pgSide.js';
import { hashTuples, type DocumentTuple } from './tuple.js';
import type { Accounted, Comparison, Mismatch } from './types.js';

/**
 * Proves, through the mapping, that Postgres holds what these MongoDB documents map to, for the
 * documents read and the stored rows named by `storedIds` (a range's rows include those whose document
 * is gone). Runs on the caller's client, so the caller picks the snapshot and the locks.
 *
 * Every legacy id ends in exactly one place: accounted (`gapOpen` before anything, since an undrained
 * gap means the stores are known to differ; `rejected` when an open reject explains why there is no
 * live row; `deleted` for a tombstone whose document is gone), matched, or a mismatch. A document that
 * does not map and has no open reject is `missing`: the backfill would have recorded one.
 */
export async function compareDocuments(
  client: pg.ClientBase,
  spec: CollectionSpec,
  docs: readonly LegacyDoc[],
  storedIds: readonly string[],
): Promise<Comparison> {
  const mongo = await mapDocuments(client, spec, docs);
  const ids = [...new Set([...mongo.idOf.keys(), ...storedIds])];
  const pg = await readRows(client, spec, ids);
  const rejected = await openRejects(client, spec.collection, ids);
  const gaps = await unsettledGaps(client, spec.collection, ids);

  const accounted: Accounted = { rejected: 0, deleted: 0, gapOpen: 0 };
  const mongoTuples = new Map<string, DocumentTuple>();
  const pgTuples = new Map<string, DocumentTuple>();
  const mismatches: Mismatch[] = [];
  let compared = 0;
  for (const legacyId of ids) {
    const row = pg.rows.get(legacyId);
    const live = row && !row.tombstoned ? row.tuple : undefined;
    const present = mongo.idOf.has(legacyId);
    const failure = mongo.failures.get(legacyId);
    if (gaps.has(legacyId)) accounted.gapOpen++;
    else if (present && rejected.has(legacyId) && (failure || !live)) accounted.rejected++;
    else if (!present && !live) {
      if (row) accounted.deleted++;
    } else {
      compared++;
      if (failure) {
        mismatches.push({
          legacyId,
          id: mongo.idOf.get(legacyId),
          kind: 'missing',
          columns: [],
          detail: {
            reject: { mongo: `${failure.reject}: ${failure.message}`, pg: live ? 'live row' : null },
          },
        });
        continue;
      }
      const mapped = mongo.tuples.get(legacyId);
      if (mapped) mongoTuples.set(legacyId, mapped);
      if (live) pgTuples.set(legacyId, live);
    }
  }

  const hashes = { mongo: hashTuples(mongoTuples), pg: hashTuples(pgTuples) };
  // The cheap path: equal hashes over every compared document mean no drill-down is needed.
  if (hashes.mongo !== hashes.pg || mismatches.length > 0) {
    for (const legacyId of new Set([...mongoTuples.keys(), ...pgTuples.keys()])) {
      const mapped = mongoTuples.get(legacyId);
      const live = pgTuples.get(legacyId);
      const id = mongo.idOf.get(legacyId) ?? idOfLegacyId(legacyId);
      if (!live) mismatches.push({ legacyId, id, kind: 'missing', columns: [], detail: {} });
      else if (!mapped) mismatches.push({ legacyId, id, kind: 'extra', columns: [], detail: {} });
      else {
        const diff = diffTuples(mapped, live);
        if (diff) mismatches.push({ legacyId, id, ...diff });
      }
    }
  }
  mismatches.sort((a, b) => (a.legacyId < b.legacyId ? -1 : a.legacyId > b.legacyId ? 1 : 0));
  return { compared, matched: compared - mismatches.length, accounted, mismatches, hashes };
}
