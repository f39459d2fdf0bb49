import type { DERIVED_DESTINATION_STATUSES, DESTINATION_CHAINS } from '../../legacy/enums.js';
import type { DomainObject, Id, Page } from './common.js';

export type DestinationChain = (typeof DESTINATION_CHAINS)[number];
export type DerivedDestinationStatus = (typeof DERIVED_DESTINATION_STATUSES)[number];

export interface Sweep {
  txHash?: string;
  /** An exact decimal in the swept token (the destination's payment's currency). */
  amount?: string;
  sweptAt?: Date;
  /** The provider's word for the sweep transaction (free text). */
  status?: string;
}

/**
 * A deposit address derived for one buyer paying one seller on one chain, at the next index of the
 * buyer's per-chain derivation sequence (plan §4.5). An index is never handed out twice: the address
 * it derives may hold funds.
 */
export interface DerivedDestination extends DomainObject {
  buyerId: Id;
  /** A user id (24-hex) or a string of the provider's; absent for a destination without a seller. */
  sellerId?: string | null;
  chain: DestinationChain;
  derivationIndex: number;
  address?: string;
  paymentId?: string | null;
  status?: DerivedDestinationStatus;
  sweepHistory: Sweep[];
}

export interface DestinationRequest {
  buyerId: Id;
  sellerId?: string | null;
  chain: DestinationChain;
  paymentId?: string | null;
  /**
   * Derives the address at the allocated index (from the chain's xpub). Called only when a new index is
   * allocated; the repository never derives keys itself.
   */
  deriveAddress(derivationIndex: number): string | Promise<string>;
}

export interface AllocatedDestination {
  destination: DerivedDestination;
  /** False when the buyer already had a destination for this seller and chain: it is answered instead. */
  created: boolean;
}

export interface NewSweep {
  txHash: string;
  /** Exact decimal. */
  amount: string;
  /** @defaultValue now */
  sweptAt?: Date;
  /** @defaultValue 'confirmed' */
  status?: string;
}

/** Derived deposit addresses: one per (buyer, seller, chain), each at its own derivation index. */
export interface IDerivedDestinationRepo {
  /** The buyer's destination for this seller and chain, allocating the next derivation index if there is none. */
  allocate(request: DestinationRequest): Promise<AllocatedDestination>;
  /**
   * Appends a sweep and marks the destination swept; a sweep already recorded (same txHash) is not
   * appended twice. Refused for a quarantined destination.
   */
  recordSweep(id: Id, sweep: NewSweep): Promise<DerivedDestination>;
  findById(id: Id): Promise<DerivedDestination | null>;
  findByAddress(address: string): Promise<DerivedDestination | null>;
  /** The buyer's destinations by chain, then derivation index. */
  listByBuyer(buyerId: Id, page?: Page): Promise<DerivedDestination[]>;
}
