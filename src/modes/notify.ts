import { Redis } from 'ioredis';
import type { ModeMove } from './changeMode.js';
import type { CollectionMode } from './machine.js';

/**
 * Mode changes are announced on a Redis pub/sub channel so that every ModeReader drops its cache at
 * once. The message is only a hint: readers reload every mode from Postgres, which stays the one truth
 * (a lost, late or reordered message costs at most one TTL of staleness, never a wrong mode for good).
 *
 * The channel is derived from QUEUE_PREFIX, so deployments (and test runs) sharing a Redis never
 * invalidate each other's caches.
 */
export const modeChannel = (prefix: string): string => `${prefix}:mode-changes`;

export interface ModeChangeMessage {
  collection: string;
  mode: CollectionMode;
  /** The audit row's id. */
  changeId: number | null;
}

export interface NotifyResult {
  published: boolean;
  /** Why not, when not published. */
  error?: string;
}

export interface ModeNotifier {
  /** Publishes one committed change. Never throws: a failure is returned (readers fall back on their TTL). */
  notify(move: ModeMove): Promise<NotifyResult>;
  close(): void;
}

export interface ModeNotifierOptions {
  redisUrl: string;
  prefix: string;
  /** How long a publish may take before it is given up. @defaultValue 2000 */
  timeoutMs?: number;
}

/**
 * A publisher on its own short-lived connection (opened on the first notify, never reconnecting). Mode
 * changes are rare operator actions, and borrowing a BullMQ connection would inherit its retry-forever
 * policy: with Redis down, a rollback would hang after its commit instead of reporting "not notified".
 */
export function createModeNotifier(options: ModeNotifierOptions): ModeNotifier {
  const timeoutMs = options.timeoutMs ?? 2_000;
  let redis: Redis | undefined;
  const connection = () => {
    if (!redis) {
      redis = new Redis(options.redisUrl, {
        lazyConnect: true,
        connectTimeout: timeoutMs,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      // The failed command carries the error; an unhandled 'error' event would crash the process.
      redis.on('error', () => undefined);
    }
    return redis;
  };
  return {
    async notify(move) {
      const message: ModeChangeMessage = {
        collection: move.collection,
        mode: move.to,
        changeId: move.change?.id ?? null,
      };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from Redis within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([
          connection().publish(modeChannel(options.prefix), JSON.stringify(message)),
          timeout,
        ]);
        return { published: true };
      } catch (error) {
        return { published: false, error: error instanceof Error ? error.message : String(error) };
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      redis?.disconnect();
    },
  };
}
