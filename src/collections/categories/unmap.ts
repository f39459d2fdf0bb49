import { documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/**
 * A categories row → the categories document. `parentId` (Mixed in the model) comes back as the
 * ObjectId the link pass resolved: only ids ever map (any other string rejects), so that is the only
 * shape a migrated parent can have. A parent that never resolved (dangling) is NULL and comes back absent.
 */
export const unmapCategory: Unmapper = ({ legacyId, row }, legacyIdOf) =>
  documentOf(
    {
      _id: idValue(legacyId),
      name: row.name,
      nameEn: row.nameEn,
      slug: row.slug,
      parentId: refValue(row.parentId, legacyIdOf),
      isActive: row.isActive,
      sortOrder: row.sortOrder,
      deletedAt: row.deletedAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
