import type { DomainObject, Id } from './common.js';

export interface Address extends DomainObject {
  userId: Id;
  label?: string;
  fullName?: string;
  phone?: string;
  line1?: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode?: string;
  /** ISO-3166 alpha-2, as the user typed it (never validated by the legacy app). */
  country?: string;
  primary: boolean;
}

export type AddressFields = Omit<Address, 'id' | 'userId' | 'primary' | 'createdAt' | 'updatedAt' | 'toJSON'>;

export interface NewAddress extends AddressFields {
  userId: Id;
  /** A primary address demotes the user's other primary address. @defaultValue false */
  primary?: boolean;
}

/** A user's postal addresses; at most one is primary, in both stores. */
export interface IAddressRepo {
  create(input: NewAddress): Promise<Address>;
  /** Changes the fields given; `primary` moves only through setPrimary. */
  update(id: Id, fields: Partial<AddressFields>): Promise<Address>;
  /** Removes the address; false when it was already gone. */
  delete(id: Id): Promise<boolean>;
  /** Makes this address the user's only primary one. */
  setPrimary(id: Id): Promise<Address>;
  findById(id: Id): Promise<Address | null>;
  /** The user's addresses, primary first, then oldest first. */
  listByUser(userId: Id): Promise<Address[]>;
}
