import { buildMarket } from './market.js';
import type { Market } from './market.js';
import type { SeedPlan } from './plan.js';

/**
 * The users other documents may point at. Users the migration will reject (bad role, bad points, unknown
 * level) are left out: a clean address pointing at one would itself be rejected (orphan_reference) without
 * a label, which would make the labels lie. Int32Arrays: ~4 bytes per user at a million documents.
 */
export interface Population {
  /** Indexes of users that migrate, ascending. */
  readonly users: Int32Array;
  /** Indexes of migrating users whose role is seller, ascending. */
  readonly sellers: Int32Array;
  /** Who offered on what, which offer was accepted, which requests were paid (market.ts). */
  readonly market: Market;
}

/** The role of user `index` before quirks: a separate stream, so the population can be built cheaply. */
export function roleOf(plan: Pick<SeedPlan, 'rng'>, index: number): 'buyer' | 'seller' | 'admin' {
  const r = plan.rng('users', index, 'role').float();
  return r < 0.005 ? 'admin' : r < 0.205 ? 'seller' : 'buyer';
}

export function buildPopulation(
  plan: Pick<SeedPlan, 'count' | 'isRejected' | 'rng' | 'drawnQuirkAt'>,
): Population {
  const total = plan.count('users');
  const users = new Int32Array(total);
  const sellers = new Int32Array(total);
  let userCount = 0;
  let sellerCount = 0;
  for (let i = 0; i < total; i++) {
    if (plan.isRejected('users', i)) continue;
    users[userCount++] = i;
    if (roleOf(plan, i) === 'seller') sellers[sellerCount++] = i;
  }
  return {
    users: users.slice(0, userCount),
    sellers: sellers.slice(0, sellerCount),
    market: buildMarket(plan, userCount),
  };
}

/** How many entries of an ascending array are below `limit` (binary search). */
export function countBelow(sorted: Int32Array, limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
