import { documentOf, idValue, refValue, type Unmapper } from '../unmapping.js';

/** A shop_settings row → the shopsettings document. */
export const unmapShopSettings: Unmapper = ({ legacyId, row }, legacyIdOf) =>
  documentOf(
    {
      _id: idValue(legacyId),
      sellerId: refValue(row.sellerId, legacyIdOf),
      shopName: row.shopName,
      description: row.description,
      logoUrl: row.logoUrl,
      isOpen: row.isOpen,
      autoAcceptOffers: row.autoAcceptOffers,
      payoutAddress: row.payoutAddress,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.legacyExtra,
  );
