import { documentOf, idValue, mixed, refValue, type Unmapper } from '../unmapping.js';

/**
 * point_transactions row → document. `referenceId` is polymorphic (no FK): `id` comes back as the
 * ObjectId its 24-hex names, `string` as the string, `none` as absent. `metadata` is Mixed, kept verbatim.
 */
export const unmapPointTransaction: Unmapper = (stored, legacyIdOf) => {
  const { row } = stored;
  const ref = row.referenceExternalRef;
  return documentOf(
    {
      _id: idValue(stored.legacyId),
      userId: refValue(row.userId, legacyIdOf),
      type: row.type,
      points: row.points,
      balanceAfter: row.balanceAfter,
      referenceType: row.referenceType,
      referenceId: typeof ref !== 'string' ? undefined : row.referenceKind === 'id' ? idValue(ref) : ref,
      metadata: mixed(row.metadata),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
};
