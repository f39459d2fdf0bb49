import { Decimal128, EJSON, ObjectId } from 'bson';
import type { Document } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPlan } from '../../src/synthetic/plan.js';
import { generateDataset, idText } from './dataset.js';
import type { Dataset } from './dataset.js';
import { POLICY } from './expectations.js';
import { predict, RULES } from './policy.js';

const ejson = (value: unknown) => EJSON.stringify(value, { relaxed: false });
const HEX24 = /^[0-9a-f]{24}$/;
const MONEY_CORE = Object.keys(RULES);

describe('synthetic money core', () => {
  let data: Dataset;
  const docs = (collection: string) => data.docs[collection] ?? [];
  const label = (collection: string, doc: Document) => data.labels.get(collection)?.get(idText(doc._id));
  const clean = (collection: string) =>
    docs(collection).filter((doc) => label(collection, doc) === undefined);
  let migrating: Map<string, Set<string>>;
  let generated: Map<string, Set<string>>;

  beforeAll(() => {
    data = generateDataset({ docs: 8000, seed: 42, quirkRate: 0.05 });
    migrating = new Map();
    generated = new Map();
    for (const [collection, list] of Object.entries(data.docs)) {
      generated.set(collection, new Set(list.map((doc) => idText(doc._id))));
      migrating.set(
        collection,
        new Set(
          list
            .filter((doc) => label(collection, doc)?.expect.outcome !== 'rejected')
            .map((doc) => idText(doc._id)),
        ),
      );
    }
  });

  it('covers the whole money core, every kind present at docs 8000 / quirkRate 0.05', () => {
    expect(MONEY_CORE.sort()).toEqual(
      [
        'deriveddestinations',
        'disputes',
        'fundsledgerentries',
        'payments',
        'pointtransactions',
        'purchaserequests',
        'reviews',
        'selleroffers',
        'trezoraccounts',
      ].sort(),
    );
    for (const collection of MONEY_CORE) {
      expect(docs(collection).length, collection).toBeGreaterThan(0);
      const seen = new Set(data.quirks.filter((q) => q.collection === collection).map((q) => q.quirk));
      expect([...seen].sort(), collection).toEqual(Object.keys(POLICY[collection] ?? {}).sort());
    }
  });

  it('every document ends as the restated policy predicts: clean ones cleanly, quirky ones as labelled', () => {
    const isMigrating = (parent: string, id: string) => migrating.get(parent)?.has(id) ?? false;
    const mismatches: string[] = [];
    for (const collection of MONEY_CORE) {
      for (const doc of docs(collection)) {
        const record = label(collection, doc);
        const got = predict(collection, doc, isMigrating);
        const want = record?.expect ?? { outcome: 'migrated' };
        const gotText =
          got.reject !== undefined ? `reject ${got.reject}` : `migrated [${[...got.anomalies].join(',')}]`;
        const wantText =
          want.outcome === 'rejected'
            ? `reject ${want.reason}`
            : `migrated [${'anomaly' in want ? want.anomaly : ''}]`;
        if (gotText !== wantText)
          mismatches.push(
            `${collection}/${idText(doc._id)} ${record?.quirk ?? 'clean'}: ${gotText} ≠ ${wantText}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('labelled orphans point at nothing generated, migrating or not', () => {
    for (const record of data.quirks.filter((q) => /^(orphan|dangling)_/.test(q.quirk))) {
      const doc = docs(record.collection).find((d) => idText(d._id) === record.id);
      const ids = JSON.stringify(EJSON.serialize(doc)).match(/[0-9a-f]{24}/g) ?? [];
      // At least one id in the document resolves nowhere: the orphan.
      const nowhere = ids.filter((id) => ![...generated.values()].some((set) => set.has(id)));
      expect(nowhere.length, `${record.collection}/${record.id} ${record.quirk}`).toBeGreaterThan(0);
    }
  });

  it('keeps the purchaserequests ⇄ selleroffers cycle consistent both ways', () => {
    const offers = new Map(docs('selleroffers').map((o) => [idText(o._id), o]));
    const listed = new Set<string>();
    for (const request of docs('purchaserequests')) {
      const id = idText(request._id);
      const ids = (request.offers as unknown[]).filter((o) => o !== null).map(idText);
      for (const offerId of ids) {
        listed.add(offerId);
        const offer = offers.get(offerId);
        expect(offer, `${id} lists ${offerId}`).toBeDefined();
        expect(idText(offer?.purchaseRequestId), `${offerId} answers ${id}`).toBe(id);
        expect(label('selleroffers', offer ?? {})?.expect.outcome, offerId).not.toBe('rejected');
      }
      if (request.acceptedOfferId != null) {
        expect(ids).toContain(idText(request.acceptedOfferId));
        expect(offers.get(idText(request.acceptedOfferId))?.status).toBe('accepted');
        expect(['in_progress', 'awaiting_delivery', 'delivered', 'completed', 'disputed']).toContain(
          request.status,
        );
      }
    }
    // Every migrating offer is listed by its request; a rejected one by none.
    for (const offer of docs('selleroffers')) {
      const rejected = label('selleroffers', offer)?.expect.outcome === 'rejected';
      expect(listed.has(idText(offer._id)), idText(offer._id)).toBe(!rejected);
      if (offer.status === 'accepted') {
        const request = docs('purchaserequests').find(
          (r) => idText(r._id) === idText(offer.purchaseRequestId),
        );
        expect(idText(request?.acceptedOfferId)).toBe(idText(offer._id));
      }
    }
    // 2–4 offers per answered request on average, and clean requests with none.
    const answered = docs('purchaserequests').filter((r) => r.offers.length > 0);
    expect(docs('selleroffers').length / answered.length).toBeGreaterThan(2);
    expect(docs('selleroffers').length / answered.length).toBeLessThan(4);
    expect(clean('purchaserequests').some((r) => r.offers.length === 0)).toBe(true);
    expect(clean('purchaserequests').some((r) => r.acceptedOfferId === null)).toBe(true);
  });

  it('pays for accepted offers: a payment names its request, that request’s accepted offer, buyer and seller', () => {
    const requests = new Map(docs('purchaserequests').map((r) => [idText(r._id), r]));
    const offers = new Map(docs('selleroffers').map((o) => [idText(o._id), o]));
    let linked = 0;
    for (const payment of clean('payments')) {
      if (typeof payment.purchaseRequestId === 'string') {
        expect(payment.purchaseRequestId).toMatch(/^tmpl_/);
        expect(payment.sellerOfferId).toMatch(/^tmpl_/);
        expect(payment.sellerId).toMatch(HEX24);
        continue;
      }
      const request = requests.get(idText(payment.purchaseRequestId));
      expect(idText(request?.acceptedOfferId)).toBe(idText(payment.sellerOfferId));
      expect(idText(request?.buyerId)).toBe(idText(payment.buyerId));
      expect(idText(offers.get(idText(payment.sellerOfferId))?.sellerId)).toBe(idText(payment.sellerId));
      linked++;
    }
    const templates = clean('payments').filter((p) => typeof p.purchaseRequestId === 'string').length;
    expect(templates / clean('payments').length).toBeGreaterThan(0.06);
    expect(templates / clean('payments').length).toBeLessThan(0.2);
    expect(linked).toBeGreaterThan(0);
    // Currency defaults to USDT; amounts are Decimal128 on new rows, some with all 18 decimals.
    const values = clean('payments').map((p) => p.amount.value);
    expect(values.every((v) => v instanceof Decimal128)).toBe(true);
    expect(values.some((v) => /\.\d{18}$/.test(String(v)))).toBe(true);
    expect(clean('payments').some((p) => p.amount.currency === 'USDT')).toBe(true);
    // Ledger amounts are signed.
    const signs = new Set(clean('fundsledgerentries').map((e) => String(e.amount).startsWith('-')));
    expect([...signs].sort()).toEqual([false, true]);
  });

  it('shows every shape of the Mixed references table somewhere', () => {
    const isMigrating = (parent: string, id: string) => migrating.get(parent)?.has(id) ?? false;
    const mixed: [string, string, string][] = [
      ['payments', 'purchaseRequestId', 'purchaserequests'],
      ['payments', 'sellerOfferId', 'selleroffers'],
      ['payments', 'sellerId', 'users'],
      ['fundsledgerentries', 'purchaseRequestId', 'purchaserequests'],
      ['fundsledgerentries', 'paymentId', 'payments'],
      ['deriveddestinations', 'sellerId', 'users'],
      ['deriveddestinations', 'paymentId', 'payments'],
    ];
    const shapes = new Set<string>();
    for (const [collection, field, parent] of mixed) {
      for (const doc of docs(collection)) {
        const v = doc[field];
        const shape =
          v instanceof ObjectId
            ? isMigrating(parent, v.toHexString())
              ? 'oid'
              : 'oid-gone'
            : typeof v === 'string' && HEX24.test(v)
              ? isMigrating(parent, v)
                ? 'hex'
                : 'hex-gone'
              : typeof v === 'string' && v.startsWith('tmpl_')
                ? 'template'
                : v === ''
                  ? 'empty'
                  : typeof v === 'string'
                    ? 'other-string'
                    : v === null || v === undefined
                      ? 'null'
                      : typeof v;
        shapes.add(shape);
      }
    }
    expect([...shapes].sort()).toEqual(
      [
        'empty',
        'hex',
        'hex-gone',
        'null',
        'number',
        'object',
        'oid',
        'oid-gone',
        'other-string',
        'template',
      ].sort(),
    );
  });

  it('keeps the Mongo unique indexes true (the seeder would be refused otherwise)', () => {
    const unique = (collection: string, key: (doc: Document) => unknown[] | undefined) => {
      const keys = docs(collection)
        .map(key)
        .filter((k) => k !== undefined)
        .map((k) => ejson(k));
      expect(new Set(keys).size, collection).toBe(keys.length);
      return keys.length;
    };
    const pending = unique('payments', (p) =>
      p.provider === 'request.network' && p.direction === 'in' && p.status === 'pending'
        ? [p.buyerId, p.purchaseRequestId, p.sellerOfferId, p.provider, p.direction]
        : undefined,
    );
    expect(pending).toBeGreaterThan(10);
    unique('fundsledgerentries', (e) => ('idempotencyKey' in e ? [e.idempotencyKey] : undefined));
    expect(docs('fundsledgerentries').some((e) => e.idempotencyKey === null)).toBe(false);
    expect(docs('fundsledgerentries').some((e) => !('idempotencyKey' in e))).toBe(true);
    unique('deriveddestinations', (d) => [d.buyerId, d.sellerId ?? null, d.chain]);
    unique('deriveddestinations', (d) => [d.address]);
    unique('trezoraccounts', (t) => [t.xpub]);
  });

  it('allocates derivation indexes 0, 1, 2… per (buyer, chain), and the migrated maximum is the real one', () => {
    const byKey = new Map<string, { all: number[]; migrating: number[] }>();
    for (const d of docs('deriveddestinations')) {
      const key = `${idText(d.buyerId)}/${d.chain}`;
      const entry = byKey.get(key) ?? { all: [], migrating: [] };
      entry.all.push(d.derivationIndex);
      if (label('deriveddestinations', d)?.expect.outcome !== 'rejected')
        entry.migrating.push(d.derivationIndex);
      byKey.set(key, entry);
    }
    let multi = 0;
    for (const [key, { all, migrating: kept }] of byKey) {
      expect(
        all.sort((a, b) => a - b),
        key,
      ).toEqual(all.map((_, i) => i));
      expect(Math.max(...kept), key).toBe(all.length - 1);
      if (all.length > 1) multi++;
    }
    expect(multi).toBeGreaterThan(5);
  });

  it('derives trezor addresses from destinations on the account’s chain, in order', () => {
    const destinations = new Map(docs('deriveddestinations').map((d) => [idText(d._id), d]));
    let bound = 0;
    for (const account of docs('trezoraccounts')) {
      expect(account.nextIndex).toBe(account.addresses.length);
      account.addresses.forEach((entry: Document, i: number) => expect(entry.index).toBe(i));
      for (const entry of account.addresses) {
        const destination =
          entry.destinationId === null ? undefined : destinations.get(idText(entry.destinationId));
        if (destination === undefined) continue;
        expect(destination.address).toBe(entry.address);
        expect(destination.chain).toBe(account.chain);
        bound++;
      }
    }
    expect(bound).toBeGreaterThan(0);
  });

  it('has the normal shapes of production data in clean documents', () => {
    const cleanDisputes = clean('disputes');
    expect(cleanDisputes.some((d) => d.evidence.length === 0)).toBe(true);
    expect(cleanDisputes.some((d) => d.timeline.some((t: Document) => t.actor === null))).toBe(true);
    expect(clean('purchaserequests').some((r) => r.deliveryInfo === undefined && r.serviceInfo)).toBe(true);
    expect(clean('pointtransactions').some((t) => t.points < 0)).toBe(true);
    expect(clean('pointtransactions').some((t) => typeof t.referenceId === 'string')).toBe(true);
    expect(clean('fundsledgerentries').some((e) => e.paymentId === null)).toBe(true);
    expect(clean('reviews').some((r) => !('purchaseRequestId' in r))).toBe(true);
  });

  it('plans a million documents in bounded memory', () => {
    const plan = createPlan({ docs: 1_000_000, seed: 42, quirkRate: 0.02 });
    const { market } = plan.population;
    const bytes = market.offerStart.byteLength + market.accepted.byteLength + market.paid.byteLength;
    expect(bytes).toBeLessThan(1_000_000);
    expect(market.offerStart.at(-1)).toBe(plan.counts.selleroffers);
    expect(plan.counts.trezoraccounts).toBe(50);
  });
});
