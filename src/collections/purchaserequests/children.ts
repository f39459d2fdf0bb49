import type { LegacyId } from '../../db/ids.js';
import {
  deliveryMethod,
  type prDeliveryInfo,
  type prPreferredSellers,
  type prServiceInfo,
} from '../../db/schema/purchaseRequests.js';
import {
  classifyReference,
  FieldReject,
  optionalBool,
  optionalDate,
  optionalInt,
  optionalString,
  readSubdoc,
  resolveOptional,
  type ChildRow,
  type MapBuilder,
} from '../mapping/index.js';
import type { MapContext } from '../spec.js';
import { optionalEnum } from '../mapping/index.js';

type PreferredSellerRow = ChildRow<typeof prPreferredSellers, 'purchaseRequestId'>;
type DeliveryInfoRow = ChildRow<typeof prDeliveryInfo, 'purchaseRequestId'>;
type ServiceInfoRow = ChildRow<typeof prServiceInfo, 'purchaseRequestId'>;

/**
 * `preferredSellerIds[]` → pr_preferred_sellers (docs/data-policy.md "Arrays"): each distinct user once,
 * at the ordinal of its first occurrence; repeats → `duplicate_array_element`, nulls →
 * `null_array_element`, a user that is gone is skipped → `dangling_reference` (the rest is kept), and an
 * element that is not an id rejects the request (invalid_reference).
 */
export function mapPreferredSellers(b: MapBuilder, ctx: MapContext, value: unknown): PreferredSellerRow[] {
  const seen = new Map<LegacyId, number>();
  const rows: PreferredSellerRow[] = [];
  for (const { ordinal, value: element } of b.array(value, 'preferredSellerIds') ?? []) {
    const field = `preferredSellerIds.${ordinal}`;
    const found = classifyReference(element);
    if (found.kind !== 'id') {
      const shown = found.kind === 'invalid' ? found.found : 'absent';
      b.read(new FieldReject('invalid_reference', field, `${field} is ${shown}, not an id of users`));
      continue;
    }
    const first = seen.get(found.legacyId);
    if (first !== undefined) {
      b.anomaly(
        'duplicate_array_element',
        field,
        `preferredSellerIds[${ordinal}] repeats preferredSellerIds[${first}] (${found.legacyId}); stored once`,
      );
      continue;
    }
    seen.set(found.legacyId, ordinal);
    const resolved = b.read(resolveOptional(ctx, element, { field, parent: 'users' }), { id: null });
    if (resolved.id !== null) rows.push({ ordinal, userId: resolved.id });
    else b.anomaly('dangling_reference', field, `${field} ${found.legacyId} has no users row; skipped`);
  }
  return rows;
}

/**
 * `deliveryInfo` → at most one pr_delivery_info row: none when the sub-document is absent or null (a
 * request that has no delivery yet), one (possibly all NULL) when it is there.
 */
export function mapDeliveryInfo(b: MapBuilder, value: unknown): DeliveryInfoRow[] {
  if (value === undefined || value === null) return [];
  const d = b.read(readSubdoc(value, 'deliveryInfo'), {});
  return [
    {
      method: b.read(optionalEnum(d.method, 'deliveryInfo.method', deliveryMethod.enumValues)),
      addressId: b.optionalRef(d.addressId, { field: 'deliveryInfo.addressId', parent: 'addresses' }),
      carrier: b.read(optionalString(d.carrier, 'deliveryInfo.carrier')),
      trackingNumber: b.read(optionalString(d.trackingNumber, 'deliveryInfo.trackingNumber')),
      shippedAt: b.read(optionalDate(d.shippedAt, 'deliveryInfo.shippedAt')),
      deliveredAt: b.read(optionalDate(d.deliveredAt, 'deliveryInfo.deliveredAt')),
      notes: b.read(optionalString(d.notes, 'deliveryInfo.notes')),
    },
  ];
}

/** `serviceInfo` → at most one pr_service_info row, on the same rule as deliveryInfo. */
export function mapServiceInfo(b: MapBuilder, value: unknown): ServiceInfoRow[] {
  if (value === undefined || value === null) return [];
  const s = b.read(readSubdoc(value, 'serviceInfo'), {});
  return [
    {
      scheduledAt: b.read(optionalDate(s.scheduledAt, 'serviceInfo.scheduledAt')),
      durationMinutes: b.read(optionalInt(s.durationMinutes, 'serviceInfo.durationMinutes')),
      location: b.read(optionalString(s.location, 'serviceInfo.location')),
      remote: b.read(optionalBool(s.remote, 'serviceInfo.remote')),
    },
  ];
}
