import { ObjectId } from 'bson';
import type { Document } from 'mongodb';
import type { CollectionGenerator } from '../generator.js';
import { buyerOf, paymentLinks, paymentRun, PAYMENTS, pickUser, REQUESTS, sellerOf } from '../market.js';
import { decimalText, moneyValue } from '../money.js';
import type { SeedPlan } from '../plan.js';
import { dangling, MIGRATED, nullElement, rejected } from '../quirks.js';
import * as text from '../text.js';
import { timestamps, withUnknownFields } from './common.js';

const NAME = 'disputes';
const HOUR_MS = 3_600_000;
const REASONS = ['not_delivered', 'not_as_described', 'damaged', 'fraud', 'other'];
const RESOLVED = ['resolved_buyer', 'resolved_seller'];

/** The request's first payment that migrates untouched (its pay-in), if any. */
function disputedPayment(plan: SeedPlan, q: number): number | undefined {
  const [from, to] = paymentRun(plan, q);
  for (let i = from; i < to; i++)
    if (plan.quirkAt(PAYMENTS, i) === undefined && !paymentLinks(plan, i).template) return i;
  return undefined;
}

export const disputes: CollectionGenerator = {
  name: NAME,
  quirks: {
    orphan_opener: rejected('orphan_reference'), // openedBy is typed and required
    orphan_payment: dangling, // paymentId is optional: FK NULL + anomaly
    null_evidence: nullElement, // evidence[] holds a null: skipped, anomaly
    double_refund: MIGRATED, // resolution.refundAmount a double on an old row
    missing_timestamps: MIGRATED,
    unknown_field: MIGRATED,
    emoji_text: MIGRATED,
    rtl_text: MIGRATED,
    long_text: MIGRATED,
  },
  indexes: [],
  window: (epoch) => ({ startMs: epoch.startMs + 70 * 24 * HOUR_MS, endMs: epoch.endMs + 3 * 24 * HOUR_MS }),
  // Disputes are about paid requests: none without one.
  cap: (population) => (population.market.paid.length > 0 ? Number.MAX_SAFE_INTEGER : 0),

  generate(plan, index, quirk) {
    const rng = plan.rng(NAME, index);
    const createdMs = plan.timeOf(NAME, index);
    const { paid, accepted } = plan.population.market;
    // Spread over the paid requests: a request is disputed once.
    const q = Math.floor((index * paid.length) / plan.count(NAME));
    const request = paid[q] ?? 0;
    const buyer = plan.idOf('users', buyerOf(plan, request));
    const seller = plan.idOf('users', sellerOf(plan, accepted[request] ?? 0));
    const payment = disputedPayment(plan, q);

    const r = rng.float();
    const status =
      r < 0.15
        ? 'open'
        : r < 0.3
          ? 'under_review'
          : r < 0.4
            ? 'awaiting_evidence'
            : r < 0.5
              ? 'cancelled'
              : rng.pick(RESOLVED);
    const resolved = RESOLVED.includes(status) || quirk === 'double_refund';
    // The opening note carries the text quirks: every dispute has one.
    const openingNote =
      quirk === 'emoji_text'
        ? rng.pick(text.EMOJI_TEXTS)
        : quirk === 'rtl_text'
          ? rng.pick(text.RTL_TEXTS)
          : quirk === 'long_text'
            ? text.longText(rng)
            : rng.pick(text.DISPUTE_NOTES);

    // Many disputes are opened without evidence: [] is normal.
    const evidence: (Document | null)[] = Array.from(
      { length: rng.chance(0.35) ? 0 : rng.between(1, 3) },
      (_, k) => {
        const type = rng.pick(['image', 'document', 'link', 'text']);
        return {
          uploadedBy: k % 2 === 0 ? buyer : seller,
          type,
          ...(type === 'text' ? {} : { url: `https://cdn.example.com/evidence/${rng.hex(8)}` }),
          description: rng.pick(text.DISPUTE_NOTES),
          createdAt: new Date(createdMs + (k + 1) * HOUR_MS),
        };
      },
    );
    if (quirk === 'null_evidence') evidence.splice(rng.int(evidence.length + 1), 0, null);

    // Appended by the pre-save hook; a null actor is the system (auto-escalation, timeouts).
    const timeline: Document[] = [
      {
        at: new Date(createdMs),
        actor: buyer,
        action: 'opened',
        fromStatus: null,
        toStatus: 'open',
        note: openingNote,
      },
    ];
    if (status !== 'open') {
      timeline.push({
        at: new Date(createdMs + 48 * HOUR_MS),
        actor: null,
        action: 'escalated',
        fromStatus: 'open',
        toStatus: status === 'cancelled' ? 'cancelled' : 'under_review',
      });
    }
    const resolver = plan.idOf('users', pickUser(plan, rng));
    if (resolved)
      timeline.push({
        at: new Date(createdMs + 96 * HOUR_MS),
        actor: resolver,
        action: 'resolved',
        fromStatus: 'under_review',
        toStatus: status,
      });

    const doc = {
      _id: plan.idOf(NAME, index),
      purchaseRequestId: plan.idOf(REQUESTS, request),
      paymentId:
        quirk === 'orphan_payment'
          ? plan.orphanIdFor(NAME, index, createdMs)
          : payment === undefined
            ? null
            : plan.idOf(PAYMENTS, payment),
      openedBy: quirk === 'orphan_opener' ? plan.orphanIdFor(NAME, index, createdMs) : buyer,
      againstUserId: seller,
      reason: rng.pick(REASONS),
      status,
      evidence,
      timeline,
      // Chats stay on Mongo: a cross-store id, text in Postgres.
      chatId: new ObjectId(Buffer.from(rng.bytes(12))),
      ...(resolved
        ? {
            resolution: {
              outcome:
                status === 'resolved_seller'
                  ? 'release_to_seller'
                  : rng.pick(['refund_buyer', 'partial_refund']),
              refundAmount: moneyValue(
                rng,
                decimalText(rng, 2_000),
                quirk === 'double_refund' ? 'double' : undefined,
              ),
              resolvedBy: resolver,
              resolvedAt: new Date(createdMs + 96 * HOUR_MS),
              notes: rng.pick(text.DISPUTE_NOTES),
            },
          }
        : {}),
      releaseHold: rng.chance(0.3),
      ...timestamps(rng, createdMs, plan.epoch.endMs, quirk === 'missing_timestamps'),
    };
    return quirk === 'unknown_field' ? withUnknownFields(doc, rng) : doc;
  },
};
