import { describe, expect, it } from 'vitest';
import { useMongo } from './harness.js';

describe('sessions and transactions on a standalone', () => {
  const h = useMongo();

  it('accepts implicit and explicit sessions', async () => {
    const session = h().client.startSession();
    try {
      await h().db.collection('s').insertOne({ a: 1 }, { session });
      expect(await h().db.collection('s').countDocuments({}, { session })).toBe(1);
    } finally {
      await session.endSession();
    }
  });

  it('rejects multi-document transactions like a standalone mongod', async (ctx) => {
    const hello = await h().db.admin().command({ hello: 1 });
    // Replica sets and mongos support transactions: nothing to check there.
    if (hello.setName !== undefined || hello.msg === 'isdbgrid') ctx.skip();
    const session = h().client.startSession();
    try {
      session.startTransaction();
      type ServerErr = { code?: number; codeName?: string; message?: string; originalError?: ServerErr };
      let thrown: ServerErr | undefined;
      try {
        await h().db.collection('s').insertOne({ a: 2 }, { session });
      } catch (e) {
        thrown = e as ServerErr;
      }
      // The driver re-wraps this server error with advice about retryWrites; the server's own error
      // (code 20) is kept as originalError.
      const error = thrown?.originalError ?? thrown;
      expect(error?.code).toBe(20);
      expect(error?.codeName).toBe('IllegalOperation');
      expect(error?.message).toContain(
        'Transaction numbers are only allowed on a replica set member or mongos',
      );
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect(await h().db.collection('s').countDocuments({ a: 2 })).toBe(0);
  });
});
