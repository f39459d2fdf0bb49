import { pointTransactionType, type pointTransactions } from '../../db/schema/pointTransactions.js';
import {
  MapBuilder,
  mixedJson,
  optionalInt,
  optionalString,
  requiredInt,
  type MainRow,
  type Shape,
} from '../mapping/index.js';
import { polymorphicRef } from '../mapping/mixed.js';
import { optionalEnum } from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const POINT_TRANSACTION_SHAPE: Shape = {
  userId: true,
  type: true,
  points: true,
  balanceAfter: true,
  referenceType: true,
  referenceId: true,
  metadata: true,
};

/**
 * A pointtransactions document → point_transactions row. `points` is signed and required. `referenceId`
 * is polymorphic (its collection depends on `referenceType`), so it is classified, never resolved: no FK
 * and no dangling check, the id or string is kept in `reference_external_ref`. Append-only: no updatedAt.
 */
export function mapPointTransaction(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const reference = b.read(polymorphicRef(doc.referenceId, 'referenceId'), {
    kind: 'none',
    externalRef: null,
  });
  const row: MainRow<typeof pointTransactions> = {
    ...b.commonColumns(doc, POINT_TRANSACTION_SHAPE),
    userId: b.requiredRef(doc.userId, { field: 'userId', parent: 'users' }),
    type: b.read(optionalEnum(doc.type, 'type', pointTransactionType.enumValues)),
    points: b.read(requiredInt(doc.points, 'points')),
    balanceAfter: b.read(optionalInt(doc.balanceAfter, 'balanceAfter')),
    referenceType: b.read(optionalString(doc.referenceType, 'referenceType')),
    referenceKind: reference.kind,
    referenceExternalRef: reference.externalRef,
    metadata: b.read(mixedJson(doc.metadata, 'metadata')),
  };
  return b.finish(row);
}
