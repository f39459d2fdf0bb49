import { routingOf } from '../../modes/machine.js';
import type { DualWriteSeam } from './dualWrite.js';
import type { PgFirstSeam, RoutingSource } from './pgFirst.js';

/** What a routed repository needs: the live modes, and a seam per authoritative store. */
export interface Router {
  modes: RoutingSource;
  /** MongoDB authoritative (`mongo`, `dual`): Mongo repository, Postgres followed by the dual-write seam. */
  mongoFirst: DualWriteSeam;
  /** Postgres authoritative (`pg`, `decommissioned`): Drizzle repository, MongoDB mirrored after commit. */
  pgFirst: PgFirstSeam;
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
  return new Proxy(mongo, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const mode = await router.modes.routing(collection).catch(() => 'mongo' as const);
        if (routingOf(mode).authoritative === 'pg') {
          const method = Reflect.get(pg, property, pg) as (...a: unknown[]) => Promise<unknown>;
          return router.pgFirst.run(() => method.apply(pg, args));
        }
        return router.mongoFirst.run(() =>
          (value as (...a: unknown[]) => Promise<unknown>).apply(target, args),
        );
      };
    },
  });
}
