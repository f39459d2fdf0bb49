import type { LegacyId, PgUuid } from '../../db/ids.js';
import type { RefKind } from '../../db/schema/refKind.js';
import type { Anomaly, MapContext } from '../spec.js';
import type { MapBuilder } from './builder.js';
import { classifyReference } from './references.js';
import { describeValue, FieldReject, isFieldReject, type Read } from './reject.js';
import type { ReferenceField } from './resolve.js';

/**
 * Mixed references (docs/data-policy.md "Mixed references"): the ONE implementation of that table.
 * A money document is never rejected for a reference it cannot resolve; only a value that is neither an
 * id nor a string (a number, an object, an array…) is, because it names nothing at all.
 */

/** Template checkout stores the template's ref instead of a purchase request id. */
export const TEMPLATE_PREFIX = 'tmpl_';

/** What a Mixed value is before any lookup. */
export type MixedValue =
  | { readonly kind: 'id'; readonly legacyId: LegacyId }
  | { readonly kind: 'template' | 'external'; readonly ref: string }
  | { readonly kind: 'none' };

export function classifyMixed(value: unknown, field: string): Read<MixedValue> {
  // An ObjectId or a 24-hex string (either case) is an id; null/absent is none (the typed-reference rules).
  const reference = classifyReference(value);
  if (reference.kind === 'id') return reference;
  if (reference.kind === 'absent' || value === '') return { kind: 'none' };
  if (typeof value !== 'string') {
    return new FieldReject(
      'invalid_reference',
      field,
      `${field} is ${describeValue(value)}, neither an id nor a string reference`,
    );
  }
  // Postgres text cannot hold U+0000; such a string is not a usable reference either.
  if (value.includes('\u0000')) return new FieldReject('invalid_reference', field, `${field} contains NUL`);
  return { kind: value.startsWith(TEMPLATE_PREFIX) ? 'template' : 'external', ref: value };
}

/** The three columns of a Mixed field, plus what a reviewer should see about it. */
export interface MixedResolution {
  readonly kind: RefKind;
  readonly id: PgUuid | null;
  readonly externalRef: string | null;
  readonly anomaly?: Anomaly;
}

const NONE: MixedResolution = { kind: 'none', id: null, externalRef: null };

/** Classifies a Mixed value and resolves an id through the prefetched context (`ref.parent`). */
export function resolveMixed(ctx: MapContext, value: unknown, ref: ReferenceField): Read<MixedResolution> {
  const found = classifyMixed(value, ref.field);
  if (isFieldReject(found)) return found;
  switch (found.kind) {
    case 'none':
      return NONE;
    case 'template':
      return { kind: 'template', id: null, externalRef: found.ref };
    case 'external':
      return {
        kind: 'external',
        id: null,
        externalRef: found.ref,
        anomaly: {
          code: 'unrecognised_reference',
          field: ref.field,
          message: `${ref.field} is ${describeValue(found.ref)}, neither an id of ${ref.parent} nor a template ref; kept as external`,
        },
      };
    case 'id': {
      const id = ctx.resolve(ref.parent, found.legacyId);
      if (id !== undefined) return { kind: 'entity', id, externalRef: null };
      // The id is kept (lower-case hex, as legacy_object_id spells it) so the row can be re-linked later.
      return {
        kind: 'dangling',
        id: null,
        externalRef: found.legacyId,
        anomaly: {
          code: 'dangling_reference',
          field: ref.field,
          message: `${ref.field} ${found.legacyId} has no ${ref.parent} row; kept as a dangling ref`,
        },
      };
    }
  }
}

/** A Mixed field's row values, keyed like the columns of mixedRefColumns (`<key>Id`, …). */
export type MixedRow<K extends string> = { [P in `${K}Id`]: PgUuid | null } & {
  [P in `${K}ExternalRef`]: string | null;
} & { [P in `${K}RefKind`]: RefKind };

/**
 * `...mixedRef(b, ctx, 'purchaseRequest', doc.purchaseRequestId, { field, parent })` in a mapper's row:
 * resolves the field, records its anomaly on the builder, and yields the three columns. On a reject
 * the builder keeps the reject and the columns are a `none` placeholder the discarded row never shows.
 */
export function mixedRef<const K extends string>(
  b: MapBuilder,
  ctx: MapContext,
  key: K,
  value: unknown,
  ref: ReferenceField,
): MixedRow<K> {
  const resolved = b.read(resolveMixed(ctx, value, ref), NONE);
  if (resolved.anomaly) b.anomaly(resolved.anomaly.code, resolved.anomaly.field, resolved.anomaly.message);
  return {
    [`${key}Id`]: resolved.id,
    [`${key}ExternalRef`]: resolved.externalRef,
    [`${key}RefKind`]: resolved.kind,
  } as MixedRow<K>;
}

/** A polymorphic reference (`pointtransactions.referenceId`): classified like a Mixed one, never resolved. */
export interface PolymorphicRef {
  readonly kind: 'id' | 'string' | 'none';
  readonly externalRef: string | null;
}

export function polymorphicRef(value: unknown, field: string): Read<PolymorphicRef> {
  const found = classifyMixed(value, field);
  if (isFieldReject(found)) return found;
  if (found.kind === 'id') return { kind: 'id', externalRef: found.legacyId };
  if (found.kind === 'none') return { kind: 'none', externalRef: null };
  return { kind: 'string', externalRef: found.ref };
}
