import { MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError, useMongo } from './harness.js';

describe('handshake and server commands', () => {
  const h = useMongo();

  it('connects with MongoClient and answers hello like a writable primary', async () => {
    const hello = await h().db.admin().command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(hello.minWireVersion).toBe(0);
    expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    expect(hello.maxMessageSizeBytes).toBe(48_000_000);
    expect(hello.maxWriteBatchSize).toBe(100_000);
    expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
    expect(hello.localTime).toBeInstanceOf(Date);
    expect(typeof hello.connectionId).toBe('number');
    const legacy = await h().db.admin().command({ isMaster: 1 });
    expect(legacy.ismaster).toBe(true);
  });

  it('answers ping and buildInfo', async () => {
    expect((await h().db.command({ ping: 1 })).ok).toBe(1);
    const info = await h().db.admin().command({ buildInfo: 1 });
    expect(typeof info.version).toBe('string');
    expect(Array.isArray(info.versionArray)).toBe(true);
    expect(info.versionArray[0]).toBeGreaterThanOrEqual(4);
  });

  it('rejects unknown commands with CommandNotFound', async () => {
    const err = await serverError(() => h().db.command({ noSuchCommandHere: 1 }));
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err.code).toBe(59);
    expect(err.codeName).toBe('CommandNotFound');
    expect(String(err.message)).toContain('no such command');
  });

  it('serves several clients and databases at once', async () => {
    const other = new MongoClient(h().mongo.url);
    try {
      await other.connect();
      await other.db(h().mongo.dbName).collection('shared').insertOne({ from: 'other' });
      const seen = await h().db.collection('shared').findOne({ from: 'other' });
      expect(seen?.from).toBe('other');
      const second = `${h().mongo.dbName}_b`;
      await other.db(second).collection('c').insertOne({ x: 1 });
      expect(await h().client.db(second).collection('c').countDocuments()).toBe(1);
      expect(await h().db.collection('c').countDocuments()).toBe(0);
      await other.db(second).dropDatabase();
      expect(await h().client.db(second).collection('c').countDocuments()).toBe(0);
    } finally {
      await other.close();
    }
  });
});
