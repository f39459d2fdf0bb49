import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from './env.js';

/** A BullMQ key prefix no other test uses, so tests can share one Redis without seeing each other. */
export function uniquePrefix(label = 't'): string {
  return `strangler-test:${label}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under a prefix (SCAN, not KEYS, so a large Redis is not blocked). */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
