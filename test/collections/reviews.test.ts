import { Double, Int32, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { reviewsSpec } from '../../src/collections/reviews/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const ctx = new FakeContext();
const reviewer = ctx.add('users', oid(1));
const reviewee = ctx.add('users', oid(2));
const request = ctx.add('purchaserequests', oid(100));

const map = (doc: LegacyDoc) => reviewsSpec.map(doc, ctx);
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const clean = (): LegacyDoc => ({
  _id: oid(700),
  reviewerId: oid(1),
  revieweeId: oid(2),
  purchaseRequestId: oid(100),
  rating: 5,
  comment: 'Fast and friendly',
  createdAt: T0,
  updatedAt: T1,
});

describe('reviews mapper', () => {
  it('maps a clean document', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        reviewerId: reviewer,
        revieweeId: reviewee,
        purchaseRequestId: request,
        rating: 5,
        comment: 'Fast and friendly',
      },
    });
    expect(reviewsSpec.references).toEqual([
      { path: 'reviewerId', parent: 'users' },
      { path: 'revieweeId', parent: 'users' },
      { path: 'purchaseRequestId', parent: 'purchaserequests' },
    ]);
  });

  it('rating outside 1..5 rejects invalid_type at mapping, never as a CHECK failure', () => {
    expect(map({ ...clean(), rating: 7 })).toEqual({
      reject: 'invalid_type',
      field: 'rating',
      message: 'rating is 7, outside 1..5 (reviews_rating_ck)',
    });
    for (const rating of [0, -1, 6, new Int32(9)]) {
      expect(map({ ...clean(), rating })).toMatchObject({ reject: 'invalid_type', field: 'rating' });
    }
    expect(map({ ...clean(), rating: 4.5 })).toMatchObject({ reject: 'invalid_type', field: 'rating' });
    expect(map({ ...clean(), rating: '5' })).toMatchObject({ reject: 'invalid_type', field: 'rating' });
  });

  it('rating: Int32 / integral Double accepted at the bounds; absent → NULL', () => {
    expect(mapped({ ...clean(), rating: new Int32(1) }).row.rating).toBe(1);
    expect(mapped({ ...clean(), rating: new Double(5) }).row.rating).toBe(5);
    expect(mapped({ ...clean(), rating: undefined }).row.rating).toBeNull();
  });

  it('reviewer and reviewee are required: orphan → orphan_reference, absent → missing_field', () => {
    expect(map({ ...clean(), reviewerId: new ObjectId() })).toMatchObject({
      reject: 'orphan_reference',
      field: 'reviewerId',
    });
    expect(map({ ...clean(), revieweeId: null })).toMatchObject({
      reject: 'missing_field',
      field: 'revieweeId',
    });
    expect(map({ ...clean(), revieweeId: 'seller-2' })).toMatchObject({
      reject: 'invalid_reference',
      field: 'revieweeId',
    });
  });

  it('the request is optional: gone → NULL + dangling_reference; absent → NULL; 24-hex string resolves', () => {
    const gone = new ObjectId();
    const result = mapped({ ...clean(), purchaseRequestId: gone });
    expect(result.row.purchaseRequestId).toBeNull();
    expect(result.anomalies).toEqual([
      {
        code: 'dangling_reference',
        field: 'purchaseRequestId',
        message: `purchaseRequestId ${gone.toHexString()} has no purchaserequests row; stored as NULL`,
      },
    ]);
    expect(mapped({ ...clean(), purchaseRequestId: undefined }).row.purchaseRequestId).toBeNull();
    expect(mapped({ ...clean(), purchaseRequestId: oid(100).toHexString() }).row.purchaseRequestId).toBe(
      request,
    );
  });

  it('missing timestamps → NULL; unicode kept; unknown fields → legacy_extra', () => {
    const { createdAt: _c, updatedAt: _u, ...old } = clean();
    const result = mapped({ ...old, comment: '⭐️⭐️⭐️⭐️⭐️ ممتاز', helpfulVotes: 3 } as LegacyDoc);
    expect(result.row).toMatchObject({
      createdAt: null,
      updatedAt: null,
      comment: '⭐️⭐️⭐️⭐️⭐️ ممتاز',
      legacyExtra: { helpfulVotes: { $numberInt: '3' } },
    });
  });
});
