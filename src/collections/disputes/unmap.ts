import type { Decimal128 } from 'bson';
import { isPlainObject } from '../mapping/index.js';
import type { LegacyDoc } from '../spec.js';
import { decimalValue, documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/**
 * numeric(38,18) text as the Decimal128 of its shortest exact text (`12.500000000000000000` → 12.5).
 * numeric holds 38 significant digits, Decimal128 only 34: a value beyond them (an old numeric-string
 * row) comes back as that numeric string, exact, the shape the old row held.
 */
function money(text: unknown): Decimal128 | string | undefined {
  if (typeof text !== 'string') return undefined;
  const exact = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return exact.replace(/^-?[0.]*/, '').replace('.', '').length > 34 ? exact : decimalValue(exact);
}

/**
 * documentOf, merging legacy_extra one level deeper: the mapper keeps an undeclared key of a declared
 * sub-document (`resolution.note`) nested in legacy_extra, and documentOf's shallow merge would let the
 * declared sub-document replace it.
 */
function withExtra(fields: Record<string, unknown>, legacyExtra: unknown): LegacyDoc {
  const doc = documentOf(fields, legacyExtra);
  for (const [key, value] of Object.entries(documentOf({}, legacyExtra)))
    if (isPlainObject(value) && isPlainObject(doc[key])) doc[key] = { ...value, ...doc[key] };
  return doc;
}

/**
 * Child rows back into the source array, each at its `ordinal` (its index there): the elements the
 * mapper skipped before or between them (nulls) come back as null, so mapping the array again
 * gives the same ordinals. Skipped elements after the last row left no ordinal and do not come back.
 */
function atOrdinals<T>(
  rows: readonly Record<string, unknown>[],
  element: (row: Record<string, unknown>) => T,
): (T | null)[] {
  const out: (T | null)[] = [];
  for (const row of rows) {
    while (out.length < (row.ordinal as number)) out.push(null);
    out.push(element(row));
  }
  return out;
}

/**
 * disputes row + evidence + timeline → document. `resolution` is rebuilt from its flattened columns
 * (refundAmount as Decimal128), `chatId` (a cross-store id kept as 24-hex text) as the ObjectId it was.
 * Evidence and timeline elements come back in ordinal order, each with its own legacy_extra (Mongoose's
 * per-element `_id` included); a NULL actor is omitted, which Mongoose reads as its default, null.
 */
export const unmapDispute: Unmapper = (stored, legacyIdOf) => {
  const { row, children } = stored;
  const doc = withExtra(
    {
      _id: idValue(stored.legacyId),
      purchaseRequestId: refValue(row.purchaseRequestId, legacyIdOf),
      paymentId: refValue(row.paymentId, legacyIdOf),
      openedBy: refValue(row.openedById, legacyIdOf),
      againstUserId: refValue(row.againstUserId, legacyIdOf),
      reason: row.reason,
      status: row.status,
      chatId: typeof row.chatId === 'string' ? idValue(row.chatId) : undefined,
      resolution: {
        outcome: row.resolutionOutcome,
        refundAmount: money(row.resolutionRefundAmount),
        resolvedBy: refValue(row.resolutionResolvedById, legacyIdOf),
        resolvedAt: row.resolutionResolvedAt,
        notes: row.resolutionNotes,
      },
      releaseHold: row.releaseHold,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
  // Set after documentOf, whose compaction would turn an all-NULL element into a null one.
  doc.evidence = atOrdinals(children.dispute_evidence ?? [], (e) =>
    documentOf(
      {
        uploadedBy: refValue(e.uploadedById, legacyIdOf),
        type: e.type,
        url: e.url,
        description: e.description,
        createdAt: e.createdAt,
      },
      e.legacyExtra,
    ),
  );
  doc.timeline = atOrdinals(children.dispute_timeline ?? [], (t) =>
    documentOf(
      {
        at: t.at,
        actor: refValue(t.actorId, legacyIdOf),
        action: t.action,
        fromStatus: t.fromStatus,
        toStatus: t.toStatus,
        note: t.note,
      },
      t.legacyExtra,
    ),
  );
  return doc;
};
