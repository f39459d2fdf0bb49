import { EJSON, ObjectId } from 'bson';
import { asLegacyId, type LegacyId } from '../db/ids.js';
import { legacyIdOf } from '../collections/mapping/legacyId.js';

/**
 * The two names a gap keeps for its document. `legacy_object_id` is the text every table is keyed by,
 * and it cannot tell a 24-hex string `_id` from an ObjectId spelling the same hex; `id_json` is the
 * `_id` as canonical Extended JSON (`{"$oid":…}` or `"…"`), which can, so the drain reads back the
 * exact BSON value MongoDB holds.
 */
export interface GapIds {
  legacyId: LegacyId;
  idJson: string;
}

export function gapIdsOf(id: unknown): GapIds {
  const idJson = EJSON.stringify(id ?? null, { relaxed: false });
  let legacyId: LegacyId;
  try {
    legacyId = legacyIdOf(id);
  } catch {
    // An `_id` no row can be keyed by: named as copyChunk names its reject, by its canonical EJSON.
    legacyId = asLegacyId(idJson);
  }
  return { legacyId, idJson };
}

/** Thrown for an `id_json` that is not Extended JSON: no retry can make it readable. */
export class UndecodableGapIdError extends Error {
  override readonly name = 'UndecodableGapIdError';
}

/**
 * The `_id` values to sync for a gap. From `id_json` when it is there (relaxed: false, so a string stays
 * a string and an Int32 an Int32). A row written without it (by hand, or by an older writer) gives only
 * the legacy text: a 24-hex one is tried both as an ObjectId and as a string, which is safe because a
 * sync confirms a departure by looking the id up as both (src/backfill/departures.ts) and syncs the one
 * that exists.
 */
export function decodeGapIds(idJson: string | null, legacyId: string): unknown[] {
  if (idJson !== null) {
    try {
      return [EJSON.parse(idJson, { relaxed: false })];
    } catch (error) {
      throw new UndecodableGapIdError(
        `id_json ${JSON.stringify(idJson)} is not Extended JSON: ${String(error)}`,
      );
    }
  }
  return /^[0-9a-f]{24}$/.test(legacyId) ? [new ObjectId(legacyId), legacyId] : [legacyId];
}
