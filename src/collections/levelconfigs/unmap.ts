import { documentOf, idValue, type Unmapper } from '../unmapping.js';

/**
 * A level_configs row → the levelconfigs document. `benefits` is a text[]: NULL (the field was absent)
 * comes back absent, an empty array as `[]`, repeated benefits as stored.
 */
export const unmapLevelConfig: Unmapper = ({ legacyId, row }) =>
  documentOf(
    {
      _id: idValue(legacyId),
      level: row.level,
      name: row.name,
      minPoints: row.minPoints,
      feeDiscountBps: row.feeDiscountBps,
      benefits: row.benefits,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
