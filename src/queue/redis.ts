import { Redis, type RedisOptions } from 'ioredis';

/**
 * The one place Redis connections are made. ioredis 5 is pinned deliberately: it is what BullMQ's own
 * test suite runs on (DESIGN.md pitfalls), and it speaks RESP2, which every Redis 6/7 accepts.
 */
export type RedisRole =
  /** BullMQ workers block on Redis; they must retry forever instead of failing a command. */
  | 'worker'
  /** Producers (API, CLI): fail fast so a dead Redis is an error line, not a hang. */
  | 'producer';

export function createRedis(url: string, role: RedisRole): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 2, connectTimeout: 5_000 };
  const redis = new Redis(url, { ...options, lazyConnect: false });
  // ioredis reconnects on its own; an unhandled 'error' event would crash the process instead.
  redis.on('error', () => undefined);
  return redis;
}
