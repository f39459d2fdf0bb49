import type { PgUuid } from '../../db/ids.js';
import type { Anomaly, MapContext, PendingLink } from '../spec.js';
import { classifyReference, type ClassifyOptions } from './references.js';
import { FieldReject, type Read } from './reject.js';

/** A reference field of the document being mapped. */
export interface ReferenceField extends ClassifyOptions {
  /** Dotted path, for messages and reject rows. */
  readonly field: string;
  /** The parent collection's Mongo name. */
  readonly parent: string;
}

const invalid = (ref: ReferenceField, found: string): FieldReject =>
  new FieldReject('invalid_reference', ref.field, `${ref.field} is ${found}, not an id of ${ref.parent}`);

/** A required reference (docs/data-policy.md "Ids"): absent → missing_field, no parent → orphan_reference. */
export function resolveRequired(ctx: MapContext, value: unknown, ref: ReferenceField): Read<PgUuid> {
  const found = classifyReference(value, ref);
  if (found.kind === 'absent')
    return new FieldReject('missing_field', ref.field, `${ref.field} is absent or null`);
  if (found.kind === 'invalid') return invalid(ref, found.found);
  const id = ctx.resolve(ref.parent, found.legacyId);
  if (id !== undefined) return id;
  return new FieldReject(
    'orphan_reference',
    ref.field,
    `${ref.field} ${found.legacyId} has no ${ref.parent} row (hard-deleted parent?)`,
  );
}

export interface OptionalResolution {
  readonly id: PgUuid | null;
  /** Set when the reference named a parent that does not exist: FK NULL, migrated, flagged. */
  readonly anomaly?: Anomaly;
}

/** An optional reference: absent → NULL; no parent → NULL + `dangling_reference`; not an id → reject. */
export function resolveOptional(
  ctx: MapContext,
  value: unknown,
  ref: ReferenceField,
): Read<OptionalResolution> {
  const found = classifyReference(value, ref);
  if (found.kind === 'absent') return { id: null };
  if (found.kind === 'invalid') return invalid(ref, found.found);
  const id = ctx.resolve(ref.parent, found.legacyId);
  if (id !== undefined) return { id };
  return {
    id: null,
    anomaly: {
      code: 'dangling_reference',
      field: ref.field,
      message: `${ref.field} ${found.legacyId} has no ${ref.parent} row; stored as NULL`,
    },
  };
}

/**
 * A deferred reference (self references): nothing is resolved now; the link pass sets `column` once
 * every row exists, and records `dangling_reference` itself when the parent never appears.
 */
export function pendingLink(
  value: unknown,
  ref: ReferenceField & { readonly column: string },
): Read<PendingLink | null> {
  const found = classifyReference(value, ref);
  if (found.kind === 'absent') return null;
  if (found.kind === 'invalid') return invalid(ref, found.found);
  return { column: ref.column, parent: ref.parent, parentLegacyId: found.legacyId };
}
