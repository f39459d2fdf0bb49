import { EJSON } from 'bson';
import { documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/**
 * point_transactions row → document. `referenceId` is polymorphic (no FK): `id` comes back as the
 * ObjectId its 24-hex names, `string` as the string, `none` as absent. `metadata` (Mixed, relaxed EJSON
 * in jsonb) is set after documentOf so that nulls and empty objects inside it survive.
 */
export const unmapPointTransaction: Unmapper = (stored, legacyIdOf) => {
  const { row } = stored;
  const ref = row.referenceExternalRef;
  const doc = documentOf(
    {
      _id: idValue(stored.legacyId),
      userId: refValue(row.userId, legacyIdOf),
      type: row.type,
      points: row.points,
      balanceAfter: row.balanceAfter,
      referenceType: row.referenceType,
      referenceId: typeof ref !== 'string' ? undefined : row.referenceKind === 'id' ? idValue(ref) : ref,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
  if (row.metadata !== null && row.metadata !== undefined)
    doc.metadata = EJSON.deserialize(row.metadata as never, { relaxed: true });
  return doc;
};
