import { documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/**
 * An addresses row → the addresses document (rows → document, src/collections/unmapping.ts).
 * `primary` always comes back: the column is NOT NULL, holding the model's default (false) for a
 * document that predates the field. A demoted second primary (data-policy.md) comes back as stored,
 * `primary: false`: Postgres keeps one primary per user, and so does the document it returns.
 */
export const unmapAddress: Unmapper = ({ legacyId, row }, legacyIdOf) =>
  documentOf(
    {
      _id: idValue(legacyId),
      userId: refValue(row.userId, legacyIdOf),
      label: row.label,
      fullName: row.fullName,
      phone: row.phone,
      line1: row.line1,
      line2: row.line2,
      city: row.city,
      region: row.region,
      postalCode: row.postalCode,
      country: row.country,
      primary: row.primary,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
