import type { DomainObject, Id, Page } from './common.js';

/** One address derived from the account's xpub, at `index` of the account's own sequence. */
export interface TrezorAddress {
  index?: number;
  address?: string;
  /** The destination it serves; null when none (or when that destination was removed). */
  destinationId?: Id | null;
  createdAt?: Date;
}

/** A hardware-wallet account (an xpub) whose addresses the platform derives. */
export interface TrezorAccount extends DomainObject {
  label?: string;
  /** Free text here, unlike a destination's chain. */
  chain?: string;
  xpub?: string;
  derivationPath?: string;
  /** The index the next derived address takes. */
  nextIndex?: number;
  addresses: TrezorAddress[];
}

export interface NewTrezorAccount {
  label?: string;
  chain: string;
  /** Unique: one account per xpub. */
  xpub: string;
  derivationPath?: string;
}

export interface AddressRequest {
  /** Derives the address at the index the account hands out (the repository never derives keys). */
  deriveAddress(index: number): string | Promise<string>;
  destinationId?: Id | null;
}

export interface ITrezorAccountRepo {
  create(input: NewTrezorAccount): Promise<TrezorAccount>;
  relabel(id: Id, label: string): Promise<TrezorAccount>;
  /** Appends the address at the account's next index and advances it, as one atomic write. */
  appendAddress(id: Id, request: AddressRequest): Promise<TrezorAccount>;
  findById(id: Id): Promise<TrezorAccount | null>;
  findByXpub(xpub: string): Promise<TrezorAccount | null>;
  /** Every account, oldest first. */
  list(page?: Page): Promise<TrezorAccount[]>;
}
