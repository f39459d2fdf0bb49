import { DomainRuleError, NotFoundError, type Id } from '../repositories/domain/common.js';
import type { Repositories } from '../repositories/create.js';
import type { Rng } from '../synthetic/prng.js';
import { Market, type RequestState } from './market.js';
import type { TrafficOp } from './runner.js';

/**
 * The marketplace mix the traffic drives through the repositories, in whatever modes are live:
 * sign-ups, requests and offers, checkouts with double clicks, payment confirmations with an AML fee,
 * disputes, points and referrals, and a few hot documents every writer updates at once.
 *
 * An operation that finds nothing to act on yet (no open request to offer on) does the step that
 * creates it instead, so the mix is the same from an empty database.
 */
export function marketplaceWorkload(
  repos: Repositories,
  random: Rng,
  runTag: string,
): {
  ops: TrafficOp[];
  next(): TrafficOp;
  market: Market;
} {
  const market = new Market(random, runTag);
  const money = (min: number, max: number) =>
    `${random.between(min, max)}.${String(random.int(100)).padStart(2, '0')}`;

  const newUser = async () => {
    const n = market.nextSerial();
    const user = await repos.users.create({
      email: `traffic-${runTag}-${n}@example.test`,
      role: random.chance(0.4) ? 'seller' : 'buyer',
      profile: { displayName: `Trader ${n}`, country: random.pick(['PT', 'DE', 'US', 'BR']) },
      referralCode: `tr${runTag}${n}`,
      points: 0,
    });
    await repos.addresses.create({ userId: user.id, label: 'home', city: 'Lisbon', primary: true });
    market.addUser(user.id);
  };

  const newRequest = async () => {
    const buyerId = market.anyUser();
    if (!buyerId) return newUser();
    const request = await repos.purchaseRequests.create({
      buyerId,
      title: `Request ${market.nextSerial()}`,
      quantity: 1 + random.int(3),
      budget: { value: money(10, 500), currency: 'USDT' },
      status: 'open',
    });
    market.addRequest({ id: request.id, buyerId, offers: [] });
  };

  const makeOffer = async () => {
    const request = market.recentRequest((r) => !r.acceptedOfferId && r.offers.length < 4);
    if (!request) return newRequest();
    const sellerId = market.anyUser();
    if (!sellerId || sellerId === request.buyerId) return newUser();
    const price = money(10, 500);
    const offer = await repos.sellerOffers.create({
      purchaseRequestId: request.id,
      sellerId,
      price: { value: price, currency: 'USDT' },
      deliveryDays: 1 + random.int(14),
    });
    await repos.purchaseRequests.addOffer(request.id, offer.id);
    request.offers.push({ id: offer.id, sellerId, price });
  };

  /** Accept an offer, then the buyer double-clicks "pay": two checkouts at once must be one payment. */
  const checkout = async () => {
    const request = market.recentRequest((r) => r.offers.length > 0 && !r.paymentId);
    if (!request) return makeOffer();
    const offer = request.offers[random.int(request.offers.length)]!;
    if (!request.acceptedOfferId) {
      await repos.purchaseRequests.acceptOffer(request.id, offer.id);
      request.acceptedOfferId = offer.id;
      await repos.sellerOffers.changeStatus(offer.id, 'pending', 'accepted');
    }
    const accepted = request.offers.find((o) => o.id === request.acceptedOfferId) ?? offer;
    const checkoutInput = {
      buyerId: request.buyerId,
      purchaseRequestId: request.id,
      sellerOfferId: accepted.id,
      sellerId: accepted.sellerId,
      amount: { value: accepted.price, currency: 'USDT' },
    };
    const [first, second] = await Promise.all([
      repos.payments.openPendingCheckout(checkoutInput),
      repos.payments.openPendingCheckout(checkoutInput),
    ]);
    const paymentId =
      first.payment.id === second.payment.id
        ? first.payment.id
        : await onlyOnePending(first.payment.id, second.payment.id);
    // Another loop may have checked this request out (and confirmed it) while these clicks ran.
    request.paymentId ??= paymentId;
  };

  /**
   * Two clicks answered with two payments. Right only if one of them had stopped being pending in
   * between: another loop's checkout of the same request returned it, and a confirm (another loop)
   * moved it on before the later click inserted, so that click rightly opened a new checkout. Two
   * payments still pending for one offer is the bug the double click is there to catch. Returns the
   * one still pending.
   */
  const onlyOnePending = async (...ids: [Id, Id]): Promise<Id> => {
    const payments = await Promise.all(ids.map((id) => repos.payments.findById(id)));
    const pending = payments.filter((p) => p?.status === 'pending');
    if (pending.length <= 1) return pending[0]?.id ?? ids[0];
    throw new Error(
      `double click left two pending payments for one offer: ${payments
        .map((p, i) => `${ids[i]} (${p?.status ?? 'missing'}, created ${p?.createdAt?.toISOString()})`)
        .join(' and ')}`,
    );
  };

  const confirmPayment = async () => {
    const request = market.recentRequest((r) => r.paymentId !== undefined && !r.confirmed);
    if (!request) return checkout();
    await repos.payments.confirm(request.paymentId!, {
      transactionHash: `0x${runTag}${market.nextSerial().toString(16).padStart(8, '0')}`,
      network: 'tron',
      confirmations: 12,
      amlFee: { value: `0.${String(1 + random.int(99)).padStart(2, '0')}`, currency: 'USDT' },
    });
    request.confirmed = true;
  };

  const dispute = async () => {
    const request = market.recentRequest((r) => r.confirmed === true && !r.disputeId);
    if (!request) return confirmPayment();
    const seller = request.offers.find((o) => o.id === request.acceptedOfferId)?.sellerId ?? request.buyerId;
    const raised = await repos.disputes.raise({
      purchaseRequestId: request.id,
      paymentId: request.paymentId,
      openedBy: request.buyerId,
      againstUserId: seller,
      reason: random.pick(['not_delivered', 'not_as_described', 'damaged'] as const),
      note: 'raised by traffic',
    });
    request.disputeId = raised.id;
    await repos.disputes.appendTimeline(raised.id, {
      action: 'message',
      actor: request.buyerId,
      note: 'any news?',
    });
  };

  const points = async () => {
    const userId = market.anyUser();
    if (!userId) return newUser();
    const delta = 1 + random.int(50);
    const balance = await repos.users.incrementPoints(userId, delta);
    market.credit(userId, delta);
    await repos.pointTransactions.record({ userId, type: 'earn', points: delta, balanceAfter: balance });
  };

  const referral = async () => {
    const userId = market.anyUser();
    if (!userId) return newUser();
    await repos.users.rewardReferral(userId, 25);
    market.credit(userId, 25);
  };

  /** Every writer on the same few documents at once: the case the seam's per-document lock is for. */
  const hotWrite = async () => {
    if (market.hotUsers.length === 0) return newUser();
    const userId = random.pick(market.hotUsers);
    if (random.chance(0.5)) {
      await repos.users.incrementPoints(userId, 1);
      market.credit(userId, 1);
    } else
      await repos.users.updateProfile(userId, { profile: { displayName: `hot ${market.nextSerial()}` } });
  };

  const read = async () => {
    const request = market.recentRequest(() => true);
    if (!request) return newRequest();
    await repos.purchaseRequests.findById(request.id);
    await repos.sellerOffers.listByRequest(request.id);
  };

  const ops: TrafficOp[] = [
    { name: 'newUser', weight: 6, run: newUser },
    { name: 'newRequest', weight: 10, run: newRequest },
    { name: 'makeOffer', weight: 16, run: makeOffer },
    { name: 'checkout', weight: 10, run: checkout },
    { name: 'confirmPayment', weight: 8, run: confirmPayment },
    { name: 'dispute', weight: 3, run: dispute },
    { name: 'points', weight: 12, run: points },
    { name: 'referral', weight: 3, run: referral },
    { name: 'hotWrite', weight: 12, run: hotWrite },
    { name: 'read', weight: 20, run: read },
  ];
  const total = ops.reduce((sum, op) => sum + op.weight, 0);
  const next = () => {
    let ticket = random.int(total);
    for (const op of ops) if ((ticket -= op.weight) < 0) return op;
    return ops[ops.length - 1]!;
  };
  return { ops, next, market };
}

/** What the workload expects to be refused now and then under concurrency: answers, not caller errors. */
export function isExpectedRefusal(error: unknown): boolean {
  return error instanceof DomainRuleError || error instanceof NotFoundError;
}

export type { RequestState };
