import type { SeedPlan } from './plan.js';
import { Rng } from './prng.js';
import { hashString } from './prng.js';
import { PURCHASE_REQUEST_STATUSES } from '../legacy/enums.js';

/**
 * The money core's shape, planned before any document is generated so that both directions of every link
 * agree: a purchase request lists exactly the offers that name it, its accepted offer is one of them, and
 * payments, ledger entries, disputes and reviews hang off requests that were actually paid.
 *
 *   purchaserequests p ──offers[] / acceptedOfferId──▶ selleroffers [offerStart[p], offerStart[p+1])
 *          ▲                                                 │ purchaseRequestId
 *          └─────────────────────────────────────────────────┘
 *   paid[q] (requests with an accepted offer) ◀── payments run q ◀── fundsledgerentries, disputes, reviews
 *
 * Offers are contiguous runs per request, payments contiguous runs per paid request, so every question
 * ("whose offer is o", "which payments belong to request p") is O(1) or a binary search; the state is three
 * Int32Arrays over the requests (~12 bytes per request), which keeps a million documents in bounded memory.
 * Requests and offers the migration rejects own nothing and are listed nowhere, so no clean document
 * points at one.
 */
export const REQUESTS = 'purchaserequests';
export const OFFERS = 'selleroffers';
export const PAYMENTS = 'payments';
/** The collections whose counts the market is planned on: nothing may cap them afterwards. */
export const MARKET_INPUTS = [REQUESTS, OFFERS] as const;

export const REQUEST_STATUSES = PURCHASE_REQUEST_STATUSES;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** Statuses that mean an offer was accepted (and paid for). */
const ACCEPTED: ReadonlySet<RequestStatus> = new Set([
  'in_progress',
  'awaiting_delivery',
  'delivered',
  'completed',
  'disputed',
]);

export interface Market {
  /** Offers of request p are [offerStart[p], offerStart[p + 1]); length requests + 1. */
  readonly offerStart: Int32Array;
  /** The accepted offer of request p, or -1. */
  readonly accepted: Int32Array;
  /** Requests with an accepted offer, ascending: the only ones payments, disputes and reviews point at. */
  readonly paid: Int32Array;
  /** The counts the market was planned on (the plan checks no cap changed them). */
  readonly plannedCounts: Readonly<Record<string, number>>;
}

type MarketPlan = Pick<SeedPlan, 'count' | 'isRejected' | 'rng' | 'drawnQuirkAt'>;
type LinkPlan = Pick<SeedPlan, 'count' | 'isRejected' | 'rng' | 'population' | 'seed'>;

/** The status a request was written with, before the market knows whether an offer could be accepted. */
function drawnStatus(plan: Pick<SeedPlan, 'rng'>, request: number): RequestStatus {
  const r = plan.rng(REQUESTS, request, 'status').float();
  if (r < 0.08) return 'draft';
  if (r < 0.26) return 'open';
  if (r < 0.33) return 'cancelled';
  if (r < 0.42) return 'expired';
  if (r < 0.52) return 'in_progress';
  if (r < 0.6) return 'awaiting_delivery';
  if (r < 0.67) return 'delivered';
  if (r < 0.96) return 'completed';
  return 'disputed';
}

/** How many offers request p attracts, relatively: 0 for drafts, rejected requests and `empty_offers`. */
function offerWeight(plan: MarketPlan, request: number): number {
  if (plan.isRejected(REQUESTS, request)) return 0;
  const drawn = plan.drawnQuirkAt(REQUESTS, request);
  if (drawn === 'empty_offers') return 0;
  const status = drawnStatus(plan, request);
  if (status === 'draft') return 0;
  const rng = plan.rng(REQUESTS, request, 'offers');
  // Open requests nobody answered yet.
  if (!ACCEPTED.has(status) && rng.chance(0.2)) return 0;
  // A request that will repeat an offer id needs offers to repeat.
  return drawn === 'duplicate_offer' ? 4 + rng.int(3) : 1 + rng.int(6);
}

export const EMPTY_MARKET: Market = {
  offerStart: new Int32Array(1),
  accepted: new Int32Array(0),
  paid: new Int32Array(0),
  plannedCounts: {},
};

export function buildMarket(plan: MarketPlan, users: number): Market {
  const requests = users === 0 ? 0 : plan.count(REQUESTS);
  if (requests === 0) return { ...EMPTY_MARKET, plannedCounts: { [REQUESTS]: requests, [OFFERS]: 0 } };
  const offers = plan.count(OFFERS);
  const weights = new Uint8Array(requests);
  let answered = 0;
  let extra = 0;
  for (let p = 0; p < requests; p++) {
    const w = offerWeight(plan, p);
    weights[p] = w;
    if (w > 0) {
      answered += 1;
      extra += w - 1;
    }
  }
  // Every answered request gets one offer, the rest are shared by weight: the total is exactly `offers`.
  const offerStart = new Int32Array(requests + 1);
  const spare = offers - answered;
  let base = 0;
  let more = 0;
  for (let p = 0; p < requests; p++) {
    const w = weights[p] ?? 0;
    if (w > 0) {
      base += 1;
      more += w - 1;
    }
    offerStart[p + 1] =
      answered === 0
        ? 0
        : spare < 0
          ? Math.floor((offers * base) / answered)
          : base + (extra > 0 ? Math.floor((spare * more) / extra) : Math.floor((spare * base) / answered));
  }

  const accepted = new Int32Array(requests).fill(-1);
  const paid = new Int32Array(requests);
  let paidCount = 0;
  for (let p = 0; p < requests; p++) {
    const from = offerStart[p] ?? 0;
    const length = (offerStart[p + 1] ?? 0) - from;
    if (length === 0 || !ACCEPTED.has(drawnStatus(plan, p))) continue;
    const first = plan.rng(REQUESTS, p, 'accept').int(length);
    for (let k = 0; k < length; k++) {
      const offer = from + ((first + k) % length);
      if (!plan.isRejected(OFFERS, offer)) {
        accepted[p] = offer;
        paid[paidCount++] = p;
        break;
      }
    }
  }
  return {
    offerStart,
    accepted,
    paid: paid.slice(0, paidCount),
    plannedCounts: { [REQUESTS]: requests, [OFFERS]: offerStart[requests] ?? 0 },
  };
}

/** The request's status as written: an accepted status whose offers all fell through became `expired`. */
export function requestStatus(plan: Pick<SeedPlan, 'rng' | 'population'>, request: number): RequestStatus {
  const status = drawnStatus(plan, request);
  return ACCEPTED.has(status) && (plan.population.market.accepted[request] ?? -1) < 0 ? 'expired' : status;
}

/** [from, to) of the offers of `request`. */
export function offersOf(plan: Pick<SeedPlan, 'population'>, request: number): [number, number] {
  const { offerStart } = plan.population.market;
  return [offerStart[request] ?? 0, offerStart[request + 1] ?? 0];
}

/** The request offer `offer` answers (binary search over the runs). */
export function requestOf(plan: Pick<SeedPlan, 'population'>, offer: number): number {
  const { offerStart } = plan.population.market;
  let lo = 0;
  let hi = offerStart.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((offerStart[mid] ?? 0) <= offer) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Position (in population.users) of the buyer of `request`: the position also finds their addresses. */
export function buyerPosition(plan: Pick<SeedPlan, 'rng' | 'population'>, request: number): number {
  return plan.rng(REQUESTS, request, 'buyer').int(plan.population.users.length);
}

export function buyerOf(plan: Pick<SeedPlan, 'rng' | 'population'>, request: number): number {
  return plan.population.users[buyerPosition(plan, request)] ?? 0;
}

/** A migrating seller (any migrating user when the dataset is too small to have one). */
export function pickSeller(plan: Pick<SeedPlan, 'population'>, rng: Rng): number {
  const { sellers, users } = plan.population;
  const pool = sellers.length > 0 ? sellers : users;
  return pool[rng.int(pool.length)] ?? 0;
}

export function pickUser(plan: Pick<SeedPlan, 'population'>, rng: Rng): number {
  const { users } = plan.population;
  return users[rng.int(users.length)] ?? 0;
}

export function sellerOf(plan: Pick<SeedPlan, 'rng' | 'population'>, offer: number): number {
  return pickSeller(plan, plan.rng(OFFERS, offer, 'seller'));
}

/** [from, to) of the payments of paid position q. */
export function paymentRun(plan: Pick<SeedPlan, 'count' | 'population'>, q: number): [number, number] {
  const paid = plan.population.market.paid.length;
  const payments = plan.count(PAYMENTS);
  if (paid === 0) return [0, 0];
  return [Math.ceil((q * payments) / paid), Math.ceil(((q + 1) * payments) / paid)];
}

export type PaymentLinks =
  | {
      readonly template: false;
      readonly request: number;
      readonly offer: number;
      readonly buyer: number;
      readonly seller: number;
      /** The last payment of its request: the only one that may still be a pending request.network pay-in. */
      readonly last: boolean;
    }
  | {
      readonly template: true;
      /** `tmpl_<template>_<session>`: the template checkout session, unique per payment. */
      readonly requestRef: string;
      /** `tmpl_<template>`: what template checkout writes where an offer id would be. */
      readonly offerRef: string;
      readonly buyer: number;
      readonly seller: number;
    };

/** Share of payments that are template checkouts (no purchase request, string refs). */
const TEMPLATE_SHARE = 0.12;

/**
 * What payment `index` pays for, as planned (quirks replace the stored values, never these): a paid
 * request's accepted offer, or a template checkout.
 */
export function paymentLinks(plan: LinkPlan, index: number): PaymentLinks {
  const { paid, accepted } = plan.population.market;
  const payments = plan.count(PAYMENTS);
  const rng = plan.rng(PAYMENTS, index, 'links');
  if (paid.length === 0 || rng.chance(TEMPLATE_SHARE)) {
    // A few hundred templates, checked out again and again.
    const template = rng.int(Math.max(1, Math.ceil(payments / 40)));
    const hex = new Rng(plan.seed, hashString('requesttemplates'), template).hex(12);
    return {
      template: true,
      requestRef: `tmpl_${hex}_${index.toString(36)}`,
      offerRef: `tmpl_${hex}`,
      buyer: pickUser(plan, rng),
      seller: pickSeller(plan, rng),
    };
  }
  const q = Math.floor((index * paid.length) / payments);
  const request = paid[q] ?? 0;
  const offer = accepted[request] ?? 0;
  return {
    template: false,
    request,
    offer,
    buyer: buyerOf(plan, request),
    seller: sellerOf(plan, offer),
    last: paymentRun(plan, q)[1] - 1 === index,
  };
}

/** The nearest earlier (else later) document of `collection` that migrates, from a random start. */
export function migratingNear(
  plan: Pick<SeedPlan, 'count' | 'isRejected'>,
  collection: string,
  start: number,
): number | undefined {
  const count = plan.count(collection);
  for (let i = Math.min(start, count - 1); i >= 0; i--) if (!plan.isRejected(collection, i)) return i;
  for (let i = start + 1; i < count; i++) if (!plan.isRejected(collection, i)) return i;
  return undefined;
}
