import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/mongo/embedded/index.js';

/**
 * The MongoDB a test talks to: a real one when MONGO_URL is set, otherwise a fresh embedded server
 * per call. Either way the test gets its own database name, so files never see each other's data.
 */
export interface TestMongo {
  /** Connection string including the database path (…/<dbName>), query string preserved. */
  url: string;
  dbName: string;
  isEmbedded: boolean;
  /** Drops the database (real MongoDB) or closes the embedded server (and every socket it holds). */
  stop(): Promise<void>;
}

let counter = 0;

function uniqueDbName(): string {
  counter += 1;
  return `t_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
}

/** Replace (or add) the database path of a mongodb:// or mongodb+srv:// URL. */
export function withDatabase(url: string, dbName: string): string {
  const schemeEnd = url.indexOf('://') + 3;
  const queryAt = url.indexOf('?', schemeEnd);
  const query = queryAt >= 0 ? url.slice(queryAt) : '';
  const beforeQuery = queryAt >= 0 ? url.slice(0, queryAt) : url;
  const slash = beforeQuery.indexOf('/', schemeEnd);
  const hosts = slash >= 0 ? beforeQuery.slice(0, slash) : beforeQuery;
  return `${hosts}/${dbName}${query}`;
}

export async function startTestMongo(): Promise<TestMongo> {
  const dbName = uniqueDbName();
  const external = process.env.MONGO_URL;
  if (external) {
    const url = withDatabase(external, dbName);
    return {
      url,
      dbName,
      isEmbedded: false,
      async stop() {
        const client = new MongoClient(url);
        try {
          await client.db(dbName).dropDatabase();
        } finally {
          await client.close();
        }
      },
    };
  }
  const server = await startEmbeddedMongo();
  return { url: `${server.url}/${dbName}`, dbName, isEmbedded: true, stop: () => server.close() };
}
