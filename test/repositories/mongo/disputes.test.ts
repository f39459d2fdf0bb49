import { Decimal128, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { MongoDisputeRepo } from '../../../src/repositories/mongo/disputes.js';
import { MongoPurchaseRequestRepo } from '../../../src/repositories/mongo/purchaseRequests.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import type { NewDispute } from '../../../src/repositories/domain/disputes.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoDisputeRepo: raise, timeline, evidence and resolution across request and payment, noted', () => {
  let disputes: MongoDisputeRepo;
  let requests: MongoPurchaseRequestRepo;
  const mongo = useMongoRepos(({ ctx }) => {
    disputes = new MongoDisputeRepo(ctx);
    requests = new MongoPurchaseRequestRepo(ctx);
  });

  /** A request whose offer was accepted, and its pay-in in the given escrow state. */
  async function paidRequest(escrowState = 'releasable') {
    const buyer = hexId();
    const seller = hexId();
    const offer = hexId();
    const request = await requests.create({ buyerId: buyer, title: 'Lamp' });
    await requests.addOffer(request.id, offer);
    await requests.acceptOffer(request.id, offer);
    const { insertedId } = await mongo.db.collection('payments').insertOne({
      purchaseRequestId: new ObjectId(request.id),
      buyerId: new ObjectId(buyer),
      amount: { value: Decimal128.fromString('40.00'), currency: 'USDT' },
      provider: 'request.network',
      direction: 'in',
      status: 'completed',
      escrowState,
    });
    const input: NewDispute = {
      purchaseRequestId: request.id,
      paymentId: insertedId.toHexString(),
      openedBy: buyer,
      againstUserId: seller,
      reason: 'not_delivered',
      note: 'nothing arrived 📦',
    };
    return { requestId: request.id, paymentId: insertedId.toHexString(), buyer, seller, input };
  }
  const escrowOf = async (paymentId: string) =>
    (await mongo.db.collection('payments').findOne({ _id: new ObjectId(paymentId) }))?.escrowState as unknown;

  it('raise opens the dispute, marks the request disputed and holds the payment: three documents, all noted', async () => {
    const { requestId, paymentId, buyer, input } = await paidRequest();
    const { value: dispute, changed } = await expectNotedWrites(mongo.db, () => disputes.raise(input));
    expect(changed.map((c) => c.collection).sort()).toEqual(['disputes', 'payments', 'purchaserequests']);
    expect(dispute).toMatchObject({
      purchaseRequestId: requestId,
      paymentId,
      openedBy: buyer,
      status: 'open',
    });
    expect(dispute.timeline).toEqual([
      expect.objectContaining({
        actor: buyer,
        action: 'opened',
        toStatus: 'open',
        note: 'nothing arrived 📦',
      }),
      // The legacy pre-save hook's own entry.
      expect.objectContaining({ actor: null, action: 'status_change', fromStatus: null, toStatus: 'open' }),
    ]);
    expect(dispute.timeline[0]).not.toHaveProperty('_id');
    expect((await requests.findById(requestId))?.status).toBe('disputed');
    expect(await escrowOf(paymentId)).toBe('funded');
    // The id carries the claim's time, like any ObjectId.
    const idTime = new ObjectId(dispute.id).getTimestamp().getTime();
    expect(Math.abs(idTime - Date.now())).toBeLessThan(60_000);
  });

  it('raise is idempotent per request: a retry or the other party gets the open dispute, and nothing is written', async () => {
    const { seller, buyer, input } = await paidRequest();
    const first = await disputes.raise(input);
    const { value: again, changed } = await expectNotedWrites(mongo.db, () =>
      disputes.raise({ ...input, openedBy: seller, againstUserId: buyer, reason: 'fraud' }),
    );
    expect(again.id).toBe(first.id);
    expect(changed).toEqual([]);
  });

  it('20 concurrent raises on one request make one dispute, which all of them return', async () => {
    const { requestId, paymentId, input } = await paidRequest();
    const { value: raised } = await expectNotedWrites(mongo.db, () =>
      Promise.all(Array.from({ length: 20 }, () => disputes.raise(input))),
    );
    expect(new Set(raised.map((d) => d.id)).size).toBe(1);
    expect(await disputes.listByPurchaseRequest(requestId)).toHaveLength(1);
    expect(await escrowOf(paymentId)).toBe('funded');
  });

  it('a raise that crashed after claiming the request (or after holding the payment) is completed by the next raise', async () => {
    const { requestId, paymentId, input } = await paidRequest();
    // The state step 1 leaves: request claimed, payment not held, no dispute.
    await mongo.db
      .collection('purchaserequests')
      .updateOne({ _id: new ObjectId(requestId) }, { $set: { status: 'disputed', updatedAt: new Date() } });
    const { value: dispute, changed } = await expectNotedWrites(mongo.db, () => disputes.raise(input));
    expect(changed.map((c) => c.collection).sort()).toEqual(['disputes', 'payments']);
    expect(dispute.status).toBe('open');
    expect(await escrowOf(paymentId)).toBe('funded');

    // Step 2 done too, no dispute: the retry inserts it and leaves the held payment alone.
    const second = await paidRequest('funded');
    await mongo.db
      .collection('purchaserequests')
      .updateOne(
        { _id: new ObjectId(second.requestId) },
        { $set: { status: 'disputed', updatedAt: new Date() } },
      );
    const { changed: onlyDispute } = await expectNotedWrites(mongo.db, () => disputes.raise(second.input));
    expect(onlyDispute.map((c) => c.collection)).toEqual(['disputes']);
  });

  it('raise is refused on a request that is not disputable, or not there', async () => {
    const request = await requests.create({ buyerId: hexId() });
    const refused = await expectNotedWrites(mongo.db, () =>
      disputes.raise({
        purchaseRequestId: request.id,
        openedBy: hexId(),
        againstUserId: hexId(),
        reason: 'other',
      }),
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainRuleError);
    expect(String(refused)).toMatch(/is open: a dispute needs one of in_progress/);
    await expect(
      disputes.raise({
        purchaseRequestId: hexId(),
        openedBy: hexId(),
        againstUserId: hexId(),
        reason: 'other',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await disputes.listByPurchaseRequest(request.id)).toEqual([]);
  });

  it('20 concurrent appendTimeline calls: all 20 entries land', async () => {
    const { input } = await paidRequest();
    const dispute = await disputes.raise(input);
    const before = dispute.timeline.length;
    await expectNotedWrites(mongo.db, () =>
      Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          disputes.appendTimeline(dispute.id, { action: 'note', note: `n${i}` }),
        ),
      ),
    );
    const timeline = (await disputes.findById(dispute.id))?.timeline ?? [];
    expect(timeline).toHaveLength(before + 20);
    expect(new Set(timeline.slice(before).map((e) => e.note))).toEqual(
      new Set(Array.from({ length: 20 }, (_, i) => `n${i}`)),
    );
    expect(timeline.at(-1)).toMatchObject({ actor: null, action: 'note' });
    await expect(disputes.appendTimeline(hexId(), { action: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('addEvidence appends while the dispute is open, and is refused after', async () => {
    const { input, buyer } = await paidRequest();
    const dispute = await disputes.raise(input);
    const { value: withEvidence } = await expectNotedWrites(mongo.db, () =>
      disputes.addEvidence(dispute.id, {
        uploadedBy: buyer,
        type: 'image',
        url: 'https://cdn.example.com/e/1',
      }),
    );
    expect(withEvidence.evidence).toEqual([
      expect.objectContaining({ uploadedBy: buyer, type: 'image', createdAt: expect.any(Date) }),
    ]);
    await disputes.resolve(dispute.id, { status: 'cancelled' });
    await expect(
      expectNotedWrites(mongo.db, () =>
        disputes.addEvidence(dispute.id, { uploadedBy: buyer, type: 'text' }),
      ),
    ).rejects.toBeInstanceOf(DomainRuleError);
  });

  it('resolve closes an open dispute, records its timeline entry and, with releaseHold, releases the payment', async () => {
    const { input, paymentId } = await paidRequest();
    const dispute = await disputes.raise(input);
    const resolver = hexId();
    const outcome = {
      status: 'resolved_seller',
      outcome: 'release_to_seller',
      refundAmount: '0.000000000000000001',
      resolvedBy: resolver,
      notes: 'tracking shows delivery',
    } as const;
    const { value: resolved, changed } = await expectNotedWrites(mongo.db, () =>
      disputes.resolve(dispute.id, outcome, { releaseHold: true }),
    );
    expect(changed.map((c) => c.collection).sort()).toEqual(['disputes', 'payments']);
    expect(resolved).toMatchObject({
      status: 'resolved_seller',
      releaseHold: true,
      resolution: {
        outcome: 'release_to_seller',
        refundAmount: '0.000000000000000001',
        resolvedBy: resolver,
      },
    });
    expect(resolved.timeline.at(-1)).toMatchObject({
      actor: resolver,
      action: 'resolved',
      fromStatus: 'open',
      toStatus: 'resolved_seller',
    });
    expect(await escrowOf(paymentId)).toBe('releasable');

    // A crash before the release left the payment held: the same resolve, repeated, releases it.
    await mongo.db
      .collection('payments')
      .updateOne({ _id: new ObjectId(paymentId) }, { $set: { escrowState: 'funded' } });
    const { value: repeated, changed: released } = await expectNotedWrites(mongo.db, () =>
      disputes.resolve(dispute.id, outcome, { releaseHold: true }),
    );
    expect(repeated.timeline).toHaveLength(resolved.timeline.length);
    expect(released.map((c) => c.collection)).toEqual(['payments']);
    expect(await escrowOf(paymentId)).toBe('releasable');

    // Any other resolution of a closed dispute is refused.
    await expect(
      expectNotedWrites(mongo.db, () => disputes.resolve(dispute.id, { status: 'resolved_buyer' })),
    ).rejects.toBeInstanceOf(DomainRuleError);
    await expect(disputes.resolve(hexId(), { status: 'cancelled' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('resolve without releaseHold leaves the payment held; concurrent resolutions have one winner', async () => {
    const { input, paymentId } = await paidRequest();
    const dispute = await disputes.raise(input);
    const { value: outcomes } = await expectNotedWrites(mongo.db, () =>
      Promise.allSettled([
        disputes.resolve(dispute.id, { status: 'resolved_buyer', outcome: 'refund_buyer' }),
        disputes.resolve(dispute.id, { status: 'resolved_seller' }),
        disputes.resolve(dispute.id, { status: 'cancelled' }),
      ]),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(DomainRuleError);
    expect(await escrowOf(paymentId)).toBe('funded');
  });

  it('a request left disputed after its dispute closed is not re-raised onto the closed dispute', async () => {
    const { input } = await paidRequest();
    const dispute = await disputes.raise(input);
    await disputes.resolve(dispute.id, { status: 'resolved_buyer' });
    await expect(expectNotedWrites(mongo.db, () => disputes.raise(input))).rejects.toThrow(
      /move the request on first/,
    );
  });

  it('lists a request’s disputes and the open ones, oldest first', async () => {
    const a = await disputes.raise((await paidRequest()).input);
    const b = await disputes.raise((await paidRequest()).input);
    const open = (await disputes.listOpen({ limit: 1000 })).map((d) => d.id);
    expect(open.indexOf(a.id)).toBeGreaterThanOrEqual(0);
    expect(open.indexOf(a.id)).toBeLessThan(open.indexOf(b.id));
    await disputes.resolve(a.id, { status: 'cancelled' });
    expect((await disputes.listOpen({ limit: 1000 })).map((d) => d.id)).not.toContain(a.id);
    expect((await disputes.listByPurchaseRequest(a.purchaseRequestId)).map((d) => d.id)).toEqual([a.id]);
    expect(JSON.parse(JSON.stringify(b))).toMatchObject({ id: b.id, status: 'open' });
  });
});
