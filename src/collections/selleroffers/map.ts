import { sellerOfferStatus, type sellerOffers } from '../../db/schema/sellerOffers.js';
import {
  MapBuilder,
  optionalInt,
  optionalMoney,
  optionalString,
  readSubdoc,
  type MainRow,
  type Shape,
} from '../mapping/index.js';
import { optionalEnum } from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const SELLER_OFFER_SHAPE: Shape = {
  purchaseRequestId: true,
  sellerId: true,
  price: { amount: true, currency: true },
  message: true,
  deliveryDays: true,
  status: true,
};

/**
 * A selleroffers document → seller_offers row. Its request is a required parent, copied before it: an
 * offer whose request was hard-deleted is an orphan (rejected), not a dangling link. `price.currency`
 * is copied as found (the model gives it no enum).
 */
export function mapSellerOffer(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const price = b.read(readSubdoc(doc.price, 'price'), {});
  const row: MainRow<typeof sellerOffers> = {
    ...b.commonColumns(doc, SELLER_OFFER_SHAPE),
    purchaseRequestId: b.requiredRef(doc.purchaseRequestId, {
      field: 'purchaseRequestId',
      parent: 'purchaserequests',
    }),
    sellerId: b.requiredRef(doc.sellerId, { field: 'sellerId', parent: 'users' }),
    priceAmount: b.read(optionalMoney(price.amount, 'price.amount')),
    priceCurrency: b.read(optionalString(price.currency, 'price.currency')),
    message: b.read(optionalString(doc.message, 'message')),
    deliveryDays: b.read(optionalInt(doc.deliveryDays, 'deliveryDays')),
    status: b.read(optionalEnum(doc.status, 'status', sellerOfferStatus.enumValues)),
  };
  return b.finish(row);
}
