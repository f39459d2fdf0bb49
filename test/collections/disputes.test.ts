import { Decimal128, ObjectId } from 'bson';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disputesSpec } from '../../src/collections/disputes/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { disputeEvidenceType, disputeReason, disputeStatus } from '../../src/db/schema/disputes.js';
import {
  DISPUTE_REASONS,
  DISPUTE_STATUSES,
  EVIDENCE_TYPES,
  registerModels,
} from '../../src/mongo/models/index.js';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const buyer = ctx.add('users', oid(1));
const seller = ctx.add('users', oid(2));
const admin = ctx.add('users', oid(3));
const request = ctx.add('purchaserequests', oid(100));
const payment = ctx.add('payments', oid(800));

const map = (doc: LegacyDoc) => disputesSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const chat = oid(900);
const evidence = {
  _id: oid(901),
  uploadedBy: oid(1),
  type: 'image',
  url: 'https://cdn/x.jpg',
  description: 'box crushed',
  createdAt: T0,
};
const systemEntry = {
  _id: oid(902),
  at: T0,
  actor: null,
  action: 'status_change',
  fromStatus: null,
  toStatus: 'open',
};
const adminEntry = { _id: oid(903), at: T1, actor: oid(3), action: 'note', note: 'asked for photos' };

const clean = (): LegacyDoc => ({
  _id: oid(950),
  purchaseRequestId: oid(100),
  paymentId: oid(800),
  openedBy: oid(1),
  againstUserId: oid(2),
  reason: 'damaged',
  status: 'resolved_buyer',
  evidence: [evidence],
  timeline: [systemEntry, adminEntry],
  chatId: chat,
  resolution: {
    outcome: 'refund',
    refundAmount: Decimal128.fromString('49.500000000000000000'),
    resolvedBy: oid(3),
    resolvedAt: T1,
    notes: 'partial refund',
  },
  releaseHold: true,
  createdAt: T0,
  updatedAt: T1,
  __v: 3,
});

describe('disputes mapper', () => {
  it('maps a clean document: flattened resolution, evidence and timeline rows', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        purchaseRequestId: request,
        paymentId: payment,
        openedById: buyer,
        againstUserId: seller,
        reason: 'damaged',
        status: 'resolved_buyer',
        chatId: chat.toHexString(),
        resolutionOutcome: 'refund',
        resolutionRefundAmount: '49.5',
        resolutionResolvedById: admin,
        resolutionResolvedAt: T1,
        resolutionNotes: 'partial refund',
        releaseHold: true,
      },
      children: {
        dispute_evidence: [
          {
            ordinal: 0,
            uploadedById: buyer,
            type: 'image',
            url: 'https://cdn/x.jpg',
            description: 'box crushed',
            createdAt: T0,
            legacyExtra: { _id: { $oid: oid(901).toHexString() } },
          },
        ],
        dispute_timeline: [
          {
            ordinal: 0,
            at: T0,
            actorId: null, // the system
            action: 'status_change',
            fromStatus: null,
            toStatus: 'open',
            note: null,
            legacyExtra: { _id: { $oid: oid(902).toHexString() } },
          },
          {
            ordinal: 1,
            at: T1,
            actorId: admin,
            action: 'note',
            fromStatus: null,
            toStatus: null,
            note: 'asked for photos',
            legacyExtra: { _id: { $oid: oid(903).toHexString() } },
          },
        ],
      },
    });
  });

  it('declares references (chatId is not one: chats stay on Mongo), children and money', () => {
    expect(disputesSpec.references).toEqual([
      { path: 'purchaseRequestId', parent: 'purchaserequests' },
      { path: 'paymentId', parent: 'payments' },
      { path: 'openedBy', parent: 'users' },
      { path: 'againstUserId', parent: 'users' },
      { path: 'resolution.resolvedBy', parent: 'users' },
      { path: 'evidence.uploadedBy', parent: 'users' },
      { path: 'timeline.actor', parent: 'users' },
    ]);
    expect(Object.keys(disputesSpec.children ?? {})).toEqual(['dispute_evidence', 'dispute_timeline']);
    expect(disputesSpec.moneyFields).toEqual(['resolution.refundAmount']);
  });

  it('a minimal, pre-timestamps document: NULLs and no child rows', () => {
    const result = mapped({
      _id: oid(951),
      purchaseRequestId: oid(100),
      openedBy: oid(1),
      againstUserId: oid(2),
    });
    expect(result.row).toMatchObject({
      createdAt: null,
      updatedAt: null,
      paymentId: null,
      reason: null,
      status: null,
      chatId: null,
      resolutionOutcome: null,
      resolutionRefundAmount: null,
      resolutionResolvedById: null,
      releaseHold: null,
    });
    expect(result.children).toEqual({ dispute_evidence: [], dispute_timeline: [] });
    expect(result.anomalies).toBeUndefined();
  });

  it('required references reject: orphan request/party → orphan_reference; absent → missing_field', () => {
    expect(map({ ...clean(), purchaseRequestId: new ObjectId() })).toMatchObject({
      reject: 'orphan_reference',
      field: 'purchaseRequestId',
    });
    expect(map({ ...clean(), againstUserId: new ObjectId() })).toMatchObject({
      reject: 'orphan_reference',
      field: 'againstUserId',
    });
    expect(map({ ...clean(), openedBy: null })).toMatchObject({ reject: 'missing_field', field: 'openedBy' });
  });

  it('optional references: a gone payment / resolver / uploader / actor → NULL + dangling_reference', () => {
    const gone = new ObjectId();
    const result = mapped({
      ...clean(),
      paymentId: gone,
      resolution: { outcome: 'refund', resolvedBy: gone },
      evidence: [{ ...evidence, uploadedBy: gone }],
      timeline: [{ ...adminEntry, actor: gone }],
    });
    expect(result.row).toMatchObject({ paymentId: null, resolutionResolvedById: null });
    expect(result.children?.dispute_evidence?.[0]?.uploadedById).toBeNull();
    expect(result.children?.dispute_timeline?.[0]?.actorId).toBeNull();
    expect(result.anomalies?.map((a) => [a.code, a.field])).toEqual([
      ['dangling_reference', 'paymentId'],
      ['dangling_reference', 'resolution.resolvedBy'],
      ['dangling_reference', 'evidence.0.uploadedBy'],
      ['dangling_reference', 'timeline.0.actor'],
    ]);
  });

  it('24-hex strings resolve; a template string in paymentId is invalid_reference (typed, not Mixed)', () => {
    expect(
      mapped({ ...clean(), paymentId: oid(800).toHexString(), openedBy: oid(1).toHexString().toUpperCase() })
        .row,
    ).toMatchObject({ paymentId: payment, openedById: buyer });
    expect(map({ ...clean(), paymentId: 'tmpl_123' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'paymentId',
    });
  });

  it('chatId: ObjectId or 24-hex string → lower-case hex text; anything else → invalid_reference', () => {
    expect(mapped({ ...clean(), chatId: chat.toHexString().toUpperCase() }).row.chatId).toBe(
      chat.toHexString(),
    );
    expect(mapped({ ...clean(), chatId: null }).row.chatId).toBeNull();
    for (const chatId of ['chat-42', 42, { id: 'x' }]) {
      expect(map({ ...clean(), chatId })).toMatchObject({ reject: 'invalid_reference', field: 'chatId' });
    }
  });

  it('refund money: double / numeric string exact; unparseable or too precise → invalid_money', () => {
    const refund = (refundAmount: unknown) => map({ ...clean(), resolution: { refundAmount } });
    expect(refund(0.1)).toMatchObject({ row: { resolutionRefundAmount: '0.1' } });
    expect(refund('1e-18')).toMatchObject({ row: { resolutionRefundAmount: '0.000000000000000001' } });
    for (const value of ['N/A', '1e-19', Number.POSITIVE_INFINITY]) {
      expect(refund(value)).toMatchObject({ reject: 'invalid_money', field: 'resolution.refundAmount' });
    }
  });

  it('invalid enums reject, in the document and in evidence elements', () => {
    expect(map({ ...clean(), reason: 'scam' })).toMatchObject({ reject: 'invalid_enum', field: 'reason' });
    expect(map({ ...clean(), status: 'closed' })).toMatchObject({ reject: 'invalid_enum', field: 'status' });
    expect(map({ ...clean(), evidence: [{ ...evidence, type: 'video' }] })).toMatchObject({
      reject: 'invalid_enum',
      field: 'evidence.0.type',
    });
  });

  it('timeline statuses are free text: a status no longer in the enum is kept as found', () => {
    const entry = { at: T0, action: 'status_change', fromStatus: 'escalated', toStatus: 'under_review' };
    expect(mapped({ ...clean(), timeline: [entry] }).children?.dispute_timeline?.[0]).toMatchObject({
      fromStatus: 'escalated',
      toStatus: 'under_review',
      legacyExtra: null,
    });
  });

  it('arrays: nulls skipped + anomaly with source ordinals kept; repeats kept; non-objects reject', () => {
    const result = mapped({ ...clean(), evidence: [evidence, null, evidence], timeline: [] });
    expect(result.children?.dispute_evidence?.map((e) => e.ordinal)).toEqual([0, 2]);
    expect(result.children?.dispute_timeline).toEqual([]);
    expect(result.anomalies).toEqual([
      { code: 'null_array_element', field: 'evidence.1', message: 'evidence[1] is null; skipped' },
    ]);
    expect(map({ ...clean(), timeline: ['opened'] })).toMatchObject({
      reject: 'invalid_type',
      field: 'timeline.0',
    });
    expect(map({ ...clean(), evidence: { url: 'x' } })).toMatchObject({
      reject: 'invalid_type',
      field: 'evidence',
    });
  });

  it('unicode kept; undeclared fields → legacy_extra of the row or of the element', () => {
    const result = mapped({
      ...clean(),
      escalatedTo: 'tier2',
      resolution: { outcome: '返金 ✅', legacyCode: 7 },
      evidence: [{ ...evidence, mime: 'image/jpeg' }],
    });
    expect(result.row.resolutionOutcome).toBe('返金 ✅');
    expect(result.row.legacyExtra).toEqual({
      escalatedTo: 'tier2',
      resolution: { legacyCode: { $numberInt: '7' } },
    });
    expect(result.children?.dispute_evidence?.[0]?.legacyExtra).toEqual({
      _id: { $oid: oid(901).toHexString() },
      mime: 'image/jpeg',
    });
  });

  it('the Postgres enums and the Mongoose enums are the same lists', () => {
    expect(disputeReason.enumValues).toEqual([...DISPUTE_REASONS]);
    expect(disputeStatus.enumValues).toEqual([...DISPUTE_STATUSES]);
    expect(disputeEvidenceType.enumValues).toEqual([...EVIDENCE_TYPES]);
  });
});

describe('Dispute model: the legacy timeline pre-save hook', () => {
  let mongo: TestMongo;
  let connection: mongoose.Connection;

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
  });

  afterAll(async () => {
    await connection?.close();
    await mongo?.stop();
  });

  it('appends a system status_change entry on create and on each status change, not on other saves', async () => {
    registerModels(connection);
    // By name: `registerModels`' entries are a union type whose query methods TypeScript cannot call.
    const Dispute = connection.model('Dispute');
    const created = await Dispute.create({ purchaseRequestId: oid(100), reason: 'fraud', status: 'open' });

    const loaded = await Dispute.findById(created._id).orFail();
    loaded.set('releaseHold', true);
    await loaded.save(); // no status change: no entry
    loaded.set('status', 'under_review');
    await loaded.save();

    const raw = await connection.collection('disputes').findOne({ _id: created._id });
    const timeline = (raw?.timeline ?? []) as Record<string, unknown>[];
    expect(
      timeline.map(({ actor, action, fromStatus, toStatus }) => ({ actor, action, fromStatus, toStatus })),
    ).toEqual([
      { actor: null, action: 'status_change', fromStatus: null, toStatus: 'open' },
      { actor: null, action: 'status_change', fromStatus: 'open', toStatus: 'under_review' },
    ]);
    expect(timeline.every((entry) => entry.at instanceof Date)).toBe(true);
  });
});
