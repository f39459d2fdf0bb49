import mongoose, { type Connection } from 'mongoose';
import { MongoClient, type Db } from 'mongodb';
import { ObjectId } from 'bson';
import { afterAll, beforeAll } from 'vitest';
import { mongoContext, type MongoContext } from '../../src/repositories/mongo/context.js';
import { startTestMongo, type TestMongo } from './mongo.js';

/** What a Mongo repository test works with, ready from its beforeAll on. */
export interface MongoRepos {
  /** The context the repositories under test are built on (the application's Mongoose connection). */
  readonly ctx: MongoContext;
  /** The same database through the plain driver: for raw reads, legacy rows and expectNotedWrites. */
  readonly db: Db;
  readonly connection: Connection;
}

/**
 * Registers the suite's beforeAll and afterAll: a fresh test MongoDB (startTestMongo), a Mongoose
 * connection and its mongoContext, and a MongoClient on the same database; all closed after the
 * suite. `setup` runs in the same beforeAll once they are open: build the repositories there and
 * `init()` the models whose unique indexes the tests rely on.
 *
 * The returned object's properties are getters, read inside hooks and tests (not at collection time).
 */
export function useMongoRepos(setup?: (repos: MongoRepos) => void | Promise<void>): MongoRepos {
  let mongo: TestMongo | undefined;
  let connection: Connection | undefined;
  let client: MongoClient | undefined;
  let opened: MongoRepos | undefined;
  const current = (): MongoRepos => {
    if (!opened) throw new Error('useMongoRepos: the Mongo fixture is read before its beforeAll ran');
    return opened;
  };

  beforeAll(async () => {
    mongo = await startTestMongo();
    connection = await mongoose.createConnection(mongo.url).asPromise();
    client = await new MongoClient(mongo.url).connect();
    opened = { connection, db: client.db(mongo.dbName), ctx: mongoContext(connection) };
    await setup?.(opened);
  });
  afterAll(async () => {
    await connection?.close();
    await client?.close();
    await mongo?.stop();
  });

  return {
    get ctx() {
      return current().ctx;
    },
    get db() {
      return current().db;
    },
    get connection() {
      return current().connection;
    },
  };
}

/** A fresh ObjectId as the 24-hex id the repositories take and answer. */
export const hexId = (): string => new ObjectId().toHexString();
