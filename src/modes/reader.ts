import type { Redis } from 'ioredis';
import { REGISTRY } from '../collections/registry.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { createRedis } from '../queue/redis.js';
import type { CollectionMode } from './machine.js';
import { modeChannel } from './notify.js';
import { routingMode } from './settle.js';
import { readModeStates, type ModeState } from './storage.js';

export interface ModeReaderOptions {
  db: Db;
  redisUrl: string;
  /** QUEUE_PREFIX: names the channel (src/modes/notify.ts). */
  prefix: string;
  /** How long a snapshot of the modes is trusted without a message. @defaultValue 2000 */
  ttlMs?: number;
  /**
   * How long after a change of the authoritative store calls keep being routed by the previous mode
   * (src/modes/settle.ts). It must cover the TTL plus the longest write a call makes in either mode.
   * @defaultValue 3 × ttlMs + 4000
   */
  settleMs?: number;
  log?: Logger;
}

interface Snapshot {
  readonly states: ReadonlyMap<string, ModeState>;
  /** When the query that read it began: the TTL counts from there, so it never understates the age. */
  readonly readAt: number;
  readonly generation: number;
}

/**
 * The live mode of each collection, as every process that routes reads and writes needs it on each
 * call: answered from an in-process snapshot of ALL modes (one query refreshes all 16), which is
 *
 *   - dropped at once when a mode-change message arrives on Redis pub/sub (a flip is seen in
 *     milliseconds, with no restart);
 *   - trusted for at most `ttlMs` anyway, so a lost message, a publisher that died between commit and
 *     publish, or a Redis that is down delays a flip by one TTL at most;
 *   - dropped after the subscriber reconnects, since messages sent meanwhile are gone.
 *
 * A generation counter keeps a query that began before a message from filling the cache with what it
 * read: its callers get that answer (it was true when they asked), later callers query again.
 * If Postgres cannot be read, the last snapshot is served (logged): a collection in mongo or dual mode
 * keeps working through a Postgres outage instead of failing every call on the mode lookup.
 */
export class ModeReader {
  readonly ttlMs: number;
  readonly settleMs: number;
  readonly #db: Db;
  readonly #log: Logger | undefined;
  readonly #subscriber: Redis;
  readonly #subscribed: Promise<void>;
  #generation = 0;
  #snapshot: Snapshot | undefined;
  #loading:
    { generation: number; readAt: number; promise: Promise<ReadonlyMap<string, ModeState>> } | undefined;
  #connectedBefore = false;

  constructor(options: ModeReaderOptions) {
    this.ttlMs = options.ttlMs ?? 2_000;
    this.settleMs = options.settleMs ?? 3 * this.ttlMs + 4_000;
    this.#db = options.db;
    this.#log = options.log?.child({ component: 'modes' });
    const channel = modeChannel(options.prefix);
    // Its own connection: a subscribed connection can run nothing but (un)subscribe commands. The
    // 'worker' role retries forever, and ioredis re-subscribes by itself after a reconnect.
    this.#subscriber = createRedis(options.redisUrl, 'worker');
    this.#subscriber.on('message', (from: string) => {
      if (from === channel) this.invalidate();
    });
    this.#subscriber.on('ready', () => {
      if (this.#connectedBefore) this.invalidate();
      this.#connectedBefore = true;
    });
    this.#subscribed = this.#subscriber.subscribe(channel).then(
      () => undefined,
      (error: unknown) => {
        this.#log?.warn({ err: error }, 'mode-change subscription failed; modes refresh by TTL only');
      },
    );
  }

  /**
   * Resolves once the subscription is active (or has failed: the TTL still applies). Tests wait for it;
   * a service need not, it only loses the fast path until then.
   */
  whenSubscribed(): Promise<void> {
    return this.#subscribed;
  }

  /** The collection's recorded mode. Throws UnknownCollectionError for a name the registry does not know. */
  async get(collection: string): Promise<CollectionMode> {
    REGISTRY.get(collection);
    const { states } = await this.#states();
    return states.get(collection)?.mode ?? 'mongo';
  }

  /**
   * The mode a call on this collection is ROUTED by right now: the recorded mode, except during the
   * settle window after a change of the authoritative store, when it is still the previous one
   * (src/modes/settle.ts).
   */
  async routing(collection: string): Promise<CollectionMode> {
    REGISTRY.get(collection);
    const { states, readAt } = await this.#states();
    return routingMode(states.get(collection), this.settleMs, performance.now() - readAt);
  }

  /** Every collection that ever left 'mongo', with its recorded mode (absent means 'mongo'). */
  async all(): Promise<ReadonlyMap<string, CollectionMode>> {
    const { states } = await this.#states();
    return new Map([...states].map(([collection, state]) => [collection, state.mode]));
  }

  async #states(): Promise<{ states: ReadonlyMap<string, ModeState>; readAt: number }> {
    const snapshot = this.#snapshot;
    if (
      snapshot &&
      snapshot.generation === this.#generation &&
      performance.now() - snapshot.readAt < this.ttlMs
    ) {
      return snapshot;
    }
    return this.#load();
  }

  /** Forgets the snapshot: the next get() reads Postgres. */
  invalidate(): void {
    this.#generation += 1;
  }

  /** Unsubscribes and closes the Redis connection (the Postgres pool is the caller's). */
  close(): void {
    this.#subscriber.disconnect();
  }

  #load(): Promise<{ states: ReadonlyMap<string, ModeState>; readAt: number }> {
    const generation = this.#generation;
    // Concurrent callers of one generation share one query.
    const loading = this.#loading;
    if (loading?.generation === generation)
      return loading.promise.then((states) => ({ states, readAt: loading.readAt }));
    const readAt = performance.now();
    const promise = readModeStates(this.#db)
      .then(
        (states) => {
          if (generation === this.#generation) this.#snapshot = { states, readAt, generation };
          return states;
        },
        (error: unknown) => {
          const stale = this.#snapshot;
          if (!stale) throw error;
          this.#log?.warn({ err: error }, 'cannot read collection modes; serving the last ones read');
          return stale.states;
        },
      )
      .finally(() => {
        if (this.#loading?.promise === promise) this.#loading = undefined;
      });
    this.#loading = { generation, readAt, promise };
    return promise.then((states) => ({ states, readAt }));
  }
}
