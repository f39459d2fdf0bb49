import type { shopSettings } from '../../db/schema/index.js';
import { MapBuilder, optionalBool, optionalString, type MainRow, type Shape } from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const SHOP_SETTINGS_SHAPE: Shape = {
  sellerId: true,
  shopName: true,
  description: true,
  logoUrl: true,
  isOpen: true,
  autoAcceptOffers: true,
  payoutAddress: true,
};

/** A shopsettings document → shop_settings row; a second row for one seller is a constraint_violation. */
export function mapShopSettings(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const row: MainRow<typeof shopSettings> = {
    ...b.commonColumns(doc, SHOP_SETTINGS_SHAPE),
    sellerId: b.requiredRef(doc.sellerId, { field: 'sellerId', parent: 'users' }),
    shopName: b.read(optionalString(doc.shopName, 'shopName')),
    description: b.read(optionalString(doc.description, 'description')),
    logoUrl: b.read(optionalString(doc.logoUrl, 'logoUrl')),
    isOpen: b.read(optionalBool(doc.isOpen, 'isOpen')),
    autoAcceptOffers: b.read(optionalBool(doc.autoAcceptOffers, 'autoAcceptOffers')),
    payoutAddress: b.read(optionalString(doc.payoutAddress, 'payoutAddress')),
  };
  return b.finish(row);
}
