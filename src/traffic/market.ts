import type { Id } from '../repositories/domain/common.js';
import type { Rng } from '../synthetic/prng.js';

/** A purchase request the workload created, and what happened to it since. */
export interface RequestState {
  id: Id;
  buyerId: Id;
  offers: { id: Id; sellerId: Id; price: string }[];
  acceptedOfferId?: Id;
  paymentId?: Id;
  confirmed?: boolean;
  disputeId?: Id;
}

/**
 * What the traffic has created so far, so later operations act on real documents: users to buy and
 * sell, requests to offer on, offers to accept, payments to confirm and dispute. Bounded: old entries
 * are dropped once a list is full, as a marketplace's attention moves on to newer requests.
 */
export class Market {
  readonly users: Id[] = [];
  /** The few documents every writer fights over (concurrent writers on one document). */
  readonly hotUsers: Id[] = [];
  readonly requests: RequestState[] = [];
  /** Points each user was credited by ACKNOWLEDGED calls (all traffic users start at 0). */
  readonly #credited = new Map<Id, number>();
  #serial = 0;

  constructor(
    readonly random: Rng,
    /** Makes emails, referral codes and hashes unique across traffic processes and runs. */
    readonly runTag: string,
    private readonly capacity = 2_000,
  ) {}

  nextSerial(): number {
    return ++this.#serial;
  }

  addUser(id: Id): void {
    push(this.users, id, this.capacity);
    if (this.hotUsers.length < 3) this.hotUsers.push(id);
  }

  addRequest(state: RequestState): void {
    push(this.requests, state, this.capacity);
  }

  /**
   * Records `points` credited to a user by a call that answered. The traffic's own account of what the
   * stores were told, independent of both: a lost update shows as a balance that differs from it.
   */
  credit(userId: Id, points: number): void {
    this.#credited.set(userId, (this.#credited.get(userId) ?? 0) + points);
  }

  /** Every user's credited points, by id. */
  credited(): Record<Id, number> {
    return Object.fromEntries(this.#credited);
  }

  anyUser(): Id | undefined {
    return this.users.length === 0 ? undefined : this.random.pick(this.users);
  }

  /** Two different users (buyer and seller), or nothing yet. */
  twoUsers(): [Id, Id] | undefined {
    if (this.users.length < 2) return undefined;
    const a = this.random.int(this.users.length);
    const b = (a + 1 + this.random.int(this.users.length - 1)) % this.users.length;
    return [this.users[a]!, this.users[b]!];
  }

  /** A recent request matching `where`, newest first with some spread. */
  recentRequest(where: (r: RequestState) => boolean): RequestState | undefined {
    const candidates = this.requests.slice(-200).filter(where);
    return candidates.length === 0 ? undefined : this.random.pick(candidates);
  }
}

function push<T>(list: T[], item: T, capacity: number): void {
  list.push(item);
  if (list.length > capacity) list.splice(0, list.length - capacity);
}
