import type { LegacyId } from '../../db/ids.js';
import { pendingLink, type MapBuilder } from '../mapping/index.js';
import type { PendingLink } from '../spec.js';

export const OFFERS_JUNCTION = 'purchase_request_offers';

/**
 * `offers[]` → junction links for the link pass: offers are copied after requests (the cycle's back
 * edge), so nothing can be resolved now. One link per distinct offer; a repeat (the array is `$push`ed
 * without de-duplication) is recorded as `duplicate_array_element`, a null as `null_array_element`, and
 * anything that is not an id rejects the request (invalid_reference). An offer that never appears is the
 * link pass's `dangling_reference`.
 */
export function offerLinks(b: MapBuilder, value: unknown): PendingLink[] {
  const seen = new Map<LegacyId, number>();
  const links: PendingLink[] = [];
  for (const { ordinal, value: element } of b.array(value, 'offers') ?? []) {
    const field = `offers.${ordinal}`;
    const link = b.read(
      pendingLink(element, { field, parent: 'selleroffers', column: 'seller_offer_id' }),
      null,
    );
    if (link === null) continue;
    const first = seen.get(link.parentLegacyId);
    if (first !== undefined) {
      b.anomaly(
        'duplicate_array_element',
        field,
        `offers[${ordinal}] repeats offers[${first}] (${link.parentLegacyId}); linked once`,
      );
      continue;
    }
    seen.set(link.parentLegacyId, ordinal);
    links.push({ ...link, junction: OFFERS_JUNCTION });
  }
  return links;
}
