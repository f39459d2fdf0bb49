import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { startTestMongo, type TestMongo } from '../support/mongo.js';

/**
 * One MongoDB (embedded, or real via MONGO_URL) and one client per test file. The conformance suite
 * asserts the same things either way; nothing here knows which server it is talking to.
 */
export interface Harness {
  mongo: TestMongo;
  client: MongoClient;
  db: Db;
}

export function useMongo(options: { monitorCommands?: boolean } = {}): () => Harness {
  let harness: Harness | undefined;
  beforeAll(async () => {
    const mongo = await startTestMongo();
    const client = new MongoClient(mongo.url, { monitorCommands: options.monitorCommands ?? false });
    await client.connect();
    harness = { mongo, client, db: client.db(mongo.dbName) };
  });
  afterAll(async () => {
    if (!harness) return;
    await harness.client.close();
    await harness.mongo.stop();
  });
  return () => {
    if (!harness) throw new Error('useMongo: used outside a test');
    return harness;
  };
}

/** Runs `fn` and returns the server error it throws (failing the test if it does not throw). */
export async function serverError(
  fn: () => Promise<unknown>,
): Promise<Record<string, unknown> & { code?: number }> {
  try {
    await fn();
  } catch (err) {
    return err as Record<string, unknown> & { code?: number };
  }
  throw new Error('expected a server error, but the operation succeeded');
}
