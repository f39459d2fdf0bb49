import { MongoClient } from 'mongodb';
import pg from 'pg';
import { Redis } from 'ioredis';
import { ServiceUnavailableError } from './errors.js';

/**
 * Connect once, with a short timeout and no retries, before a command starts real work: a wrong URL or
 * a stopped service becomes one clear line instead of a hang or a reconnect loop.
 */
export async function checkPostgres(url: string, timeoutMs = 5_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new ServiceUnavailableError('Postgres', url, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // ioredis reports the socket error as an event and rejects connect() with a generic "Connection is
  // closed."; the event is the informative one (ECONNREFUSED, ENOTFOUND, WRONGPASS…).
  let lastError: unknown;
  redis.on('error', (error) => (lastError = error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new ServiceUnavailableError('Redis', url, lastError ?? error);
  } finally {
    redis.disconnect();
  }
}

export async function checkMongo(url: string, timeoutMs = 5_000): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } catch (error) {
    throw new ServiceUnavailableError('MongoDB', url, error);
  } finally {
    await client.close().catch(() => undefined);
  }
}
