import {
  budgetCurrency,
  purchaseRequestStatus,
  type purchaseRequests,
} from '../../db/schema/purchaseRequests.js';
import {
  MapBuilder,
  optionalDate,
  optionalInt,
  optionalMoney,
  optionalString,
  readSubdoc,
  type MainRow,
} from '../mapping/index.js';
import { isReject, type LegacyDoc, type MapContext, type MapResult } from '../spec.js';
import { mapDeliveryInfo, mapPreferredSellers, mapServiceInfo } from './children.js';
import { offerLinks } from './offers.js';
import { optionalEnum } from '../mapping/index.js';
import { PURCHASE_REQUEST_SHAPE } from './shape.js';

/**
 * A purchaserequests document → purchase_requests row + preferred sellers / delivery / service child
 * rows + deferred links: `acceptedOfferId` (a column) and `offers[]` (junction rows), both set by the
 * link pass because the offers are copied after the requests that own them.
 */
export function mapPurchaseRequest(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const budget = b.read(readSubdoc(doc.budget, 'budget'), {});
  b.deferredRef(doc.acceptedOfferId, {
    field: 'acceptedOfferId',
    parent: 'selleroffers',
    column: 'accepted_offer_id',
  });
  // MapBuilder records column links only; the junction links are added to its result below.
  const junctionLinks = offerLinks(b, doc.offers);

  const row: MainRow<typeof purchaseRequests, 'acceptedOfferId'> = {
    ...b.commonColumns(doc, PURCHASE_REQUEST_SHAPE),
    buyerId: b.requiredRef(doc.buyerId, { field: 'buyerId', parent: 'users' }),
    title: b.read(optionalString(doc.title, 'title')),
    description: b.read(optionalString(doc.description, 'description')),
    categoryId: b.optionalRef(doc.categoryId, { field: 'categoryId', parent: 'categories' }),
    quantity: b.read(optionalInt(doc.quantity, 'quantity')),
    budgetAmount: b.read(optionalMoney(budget.amount, 'budget.amount')),
    budgetCurrency: b.read(optionalEnum(budget.currency, 'budget.currency', budgetCurrency.enumValues)),
    status: b.read(optionalEnum(doc.status, 'status', purchaseRequestStatus.enumValues)),
    expiresAt: b.read(optionalDate(doc.expiresAt, 'expiresAt')),
  };
  const result = b.finish(row, {
    pr_preferred_sellers: mapPreferredSellers(b, ctx, doc.preferredSellerIds),
    pr_delivery_info: mapDeliveryInfo(b, doc.deliveryInfo),
    pr_service_info: mapServiceInfo(b, doc.serviceInfo),
  });
  if (isReject(result) || junctionLinks.length === 0) return result;
  return { ...result, links: [...(result.links ?? []), ...junctionLinks] };
}
