import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { shopSettingsSpec } from '../../src/collections/shopsettings/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const seller = oid(2);
const sellerUuid = ctx.add('users', seller);
const map = (doc: LegacyDoc) => shopSettingsSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(50),
  sellerId: seller,
  shopName: 'Ana Store',
  description: 'Handmade things',
  logoUrl: 'https://cdn.example.com/logo.png',
  isOpen: true,
  autoAcceptOffers: false,
  payoutAddress: 'TXYZ1234',
  createdAt: T0,
  updatedAt: T1,
});

describe('shopsettings mapper', () => {
  it('maps a clean document', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        sellerId: sellerUuid,
        shopName: 'Ana Store',
        description: 'Handmade things',
        logoUrl: 'https://cdn.example.com/logo.png',
        isOpen: true,
        autoAcceptOffers: false,
        payoutAddress: 'TXYZ1234',
      },
    });
  });

  it('sellerId: required; orphan → orphan_reference; hex string resolves; other → invalid_reference', () => {
    expect(map({ ...clean(), sellerId: new ObjectId() })).toMatchObject({
      reject: 'orphan_reference',
      field: 'sellerId',
    });
    expect(map({ ...clean(), sellerId: null })).toMatchObject({ reject: 'missing_field', field: 'sellerId' });
    expect(mapped({ ...clean(), sellerId: seller.toHexString() }).row.sellerId).toBe(sellerUuid);
    expect(map({ ...clean(), sellerId: 'seller-2' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'sellerId',
    });
  });

  it('optional booleans stay NULL when absent; wrong types reject', () => {
    const { isOpen: _o, autoAcceptOffers: _a, ...bare } = clean();
    expect(mapped(bare as LegacyDoc).row).toMatchObject({ isOpen: null, autoAcceptOffers: null });
    expect(map({ ...clean(), isOpen: 'true' })).toMatchObject({ reject: 'invalid_type', field: 'isOpen' });
  });

  it('unicode, unknown fields, missing timestamps', () => {
    const { createdAt: _c, updatedAt: _u, ...old } = clean();
    const row = mapped({ ...old, shopName: '🛍️ متجر', theme: 'dark' } as LegacyDoc).row;
    expect(row).toMatchObject({
      shopName: '🛍️ متجر',
      createdAt: null,
      updatedAt: null,
      legacyExtra: { theme: 'dark' },
    });
  });
});
