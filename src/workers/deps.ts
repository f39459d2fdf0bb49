import { MongoClient, type Db as MongoDb } from 'mongodb';
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/env.js';
import { createDb, type Db } from '../db/client.js';
import { createLogger, type Logger } from '../logger.js';
import { QUEUE_NAMES, type QueueName } from '../queue/names.js';
import { createRedis } from '../queue/redis.js';
import { readDeployment, type Deployment } from './identity.js';

/** Everything a job processor may touch, opened once per process and shared by all its workers. */
export interface WorkerDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Db;
  readonly mongo: MongoDb;
  /** The databases above, as every job this process enqueues carries them (src/workers/identity.ts). */
  readonly deployment: Deployment;
  readonly queues: Readonly<Record<QueueName, Queue>>;
  readonly flows: FlowProducer;
  /** A connection for BullMQ Workers (retries forever); producers use their own fail-fast one. */
  readonly workerRedis: Redis;
  close(): Promise<void>;
}

export function mongoDatabaseName(url: string): string {
  const name = new URL(url.replace(/^mongodb\+srv:/, 'mongodb:')).pathname.replace(/^\//, '');
  return name || 'strangler';
}

export async function openDeps(config: Config, log = createLogger(config.LOG_LEVEL)): Promise<WorkerDeps> {
  const mongoClient = new MongoClient(config.MONGO_URL, {
    maxPoolSize: 10,
    serverSelectionTimeoutMS: 10_000,
  });
  await mongoClient.connect();
  const db = createDb({ url: config.PG_URL, applicationName: 'strangler-worker' });
  const mongoDatabase = mongoDatabaseName(config.MONGO_URL);
  let deployment: Deployment;
  try {
    deployment = await readDeployment(db.$client, mongoDatabase);
  } catch (error) {
    await Promise.allSettled([mongoClient.close(), db.$client.end()]);
    throw error;
  }
  const producerRedis = createRedis(config.REDIS_URL, 'producer');
  const workerRedis = createRedis(config.REDIS_URL, 'worker');
  const prefix = config.QUEUE_PREFIX;
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, new Queue(name, { connection: producerRedis, prefix })]),
  ) as Record<QueueName, Queue>;
  const flows = new FlowProducer({ connection: producerRedis, prefix });

  return {
    config,
    log,
    db,
    mongo: mongoClient.db(mongoDatabase),
    deployment,
    queues,
    flows,
    workerRedis,
    async close() {
      await Promise.allSettled([...Object.values(queues).map((q) => q.close()), flows.close()]);
      await Promise.allSettled([mongoClient.close(), db.$client.end()]);
      producerRedis.disconnect();
      workerRedis.disconnect();
    },
  };
}
