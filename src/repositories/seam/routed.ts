import { routingOf } from '../../modes/machine.js';
import type { DualWriteSeam } from './dualWrite.js';
import type { PgFirstSeam, RoutingSource } from './pgFirst.js';
import type { ShadowObserver } from '../../verify/shadow/shadowReader.js';

/** What a routed repository needs: the live modes, and a seam per authoritative store. */
export interface Router {
  modes: RoutingSource;
  /** MongoDB authoritative (`mongo`, `dual`): Mongo repository, Postgres followed by the dual-write seam. */
  mongoFirst: DualWriteSeam;
  /** Postgres authoritative (`pg`, `decommissioned`): Drizzle repository, MongoDB mirrored after commit. */
  pgFirst: PgFirstSeam;
  /** Shown every MongoDB-routed call, to repeat a sample of the dual-mode reads on Postgres (src/verify/shadow). */
  shadow?: ShadowObserver;
}

/**
 * One domain's repository as services see it: each call goes, by the live routing mode of the domain's
 * collection (ModeReader.routing, with the settle fence of src/modes/settle.ts), to the implementation
 * of the store that is authoritative in that mode, through that store's seam. Both implementations
 * answer the same interface with the same domain objects, so a flip changes nothing a caller can see.
 *
 * A call is routed by its OWN collection's mode, side effects included: `payments.confirm` in pg mode
 * writes the payment and its AML-fee ledger entry in one Postgres transaction and mirrors both, whatever
 * the ledger's own mode. Collections written together (the money core) are meant to be flipped together,
 * parents first, which the cutover gates of the verification issue enforce.
 *
 * If the modes cannot be read at all (Postgres unreachable since this process started), calls go to
 * MongoDB: a collection still in `mongo` or `dual` keeps working, and one in `pg` could not have
 * committed anyway; the dual-write seam then records the documents as gaps.
 */
export function routed<T extends object>(collection: string, mongo: T, pg: T, router: Router): T {
  const handover = new Handover();
  const authority = async (): Promise<Authority> =>
    routingOf(await router.modes.routing(collection).catch(() => 'mongo' as const)).authoritative;
  // After waiting for the other authority's calls, read the modes afresh: those calls may have left gaps
  // that hold the routing where it was (src/modes/settle.ts).
  const recheck = () => {
    router.modes.invalidate();
    return authority();
  };
  return new Proxy(mongo, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) =>
        handover.run(await authority(), recheck, (chosen) => {
          if (chosen === 'pg') {
            const method = Reflect.get(pg, property, pg) as (...a: unknown[]) => Promise<unknown>;
            return router.pgFirst.run(() => method.apply(pg, args));
          }
          const answer = router.mongoFirst.run(() =>
            (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
          );
          router.shadow?.observe({ collection, method: String(property), args, answer, mongo: target, pg });
          return answer;
        });
    },
  });
}

type Authority = 'mongo' | 'pg';

/**
 * Within this process, calls of a collection never run under two authorities at once: when the
 * routing switches (MongoDB-first ↔ Postgres-first), the first call of the new authority waits until
 * every call still running under the old one has finished, its follow-up or mirror included. A
 * Postgres-first mirror replacing a MongoDB document while a MongoDB-first `$inc` of it is in flight
 * would otherwise lose that increment. (Across processes the settle fence makes them switch at the same
 * instant; a call another process began just before that instant is the one overlap left.)
 */
export class Handover {
  #authority: Authority | undefined;
  #running = 0;
  #idle: { promise: Promise<void>; resolve: () => void } | undefined;

  /**
   * Runs `call` under `authority`, or under what `recheck` answers once the calls of the other authority
   * it had to wait for have finished.
   */
  async run<R>(
    authority: Authority,
    recheck: () => Promise<Authority>,
    call: (authority: Authority) => Promise<R>,
  ): Promise<R> {
    let chosen = authority;
    while (this.#authority !== chosen && this.#running > 0) {
      await this.#whenIdle();
      chosen = await recheck();
    }
    this.#authority = chosen;
    this.#running += 1;
    try {
      return await call(chosen);
    } finally {
      this.#running -= 1;
      if (this.#running === 0) {
        this.#idle?.resolve();
        this.#idle = undefined;
      }
    }
  }

  #whenIdle(): Promise<void> {
    if (!this.#idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#idle = { promise, resolve };
    }
    return this.#idle.promise;
  }
}
