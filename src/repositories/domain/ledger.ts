import type { FUNDS_LEDGER_ENTRY_TYPES } from '../../legacy/enums.js';
import type { DomainObject, Id, Money, Page } from './common.js';

export type LedgerEntryType = (typeof FUNDS_LEDGER_ENTRY_TYPES)[number];

/**
 * One funds ledger entry. Append-only: written once, never updated (no updatedAt). The amount is
 * signed: money leaving the user's balance (fees, releases, payouts, refunds) is negative.
 */
export interface LedgerEntry extends DomainObject {
  userId: Id;
  type?: LedgerEntryType;
  amount: Money;
  /** A purchase request id (24-hex) or a template checkout ref (`tmpl_…`). */
  purchaseRequestId?: string | null;
  /** A payment id (24-hex) or a provider's own payment id. */
  paymentId?: string | null;
  /** Present only on writes that must not repeat (webhooks, fees); unique where present. */
  idempotencyKey?: string;
  description?: string;
  metadata?: unknown;
}

export interface NewLedgerEntry {
  userId: Id;
  type: LedgerEntryType;
  /** Signed: debits are negative. */
  amount: Money;
  purchaseRequestId?: string | null;
  paymentId?: string | null;
  /**
   * Makes the write idempotent: a second record with the same key writes nothing and answers the first
   * entry (which must be the same user, type and amount, or the record is refused).
   */
  idempotencyKey?: string;
  description?: string;
  metadata?: unknown;
}

export interface RecordedLedgerEntry {
  entry: LedgerEntry;
  /** False when the idempotency key had already been recorded: the entry is the earlier one. */
  created: boolean;
}

/** The funds ledger: an append-only list of signed money movements per user. */
export interface ILedgerRepo {
  record(input: NewLedgerEntry): Promise<RecordedLedgerEntry>;
  findById(id: Id): Promise<LedgerEntry | null>;
  findByIdempotencyKey(key: string): Promise<LedgerEntry | null>;
  /** The user's entries, newest first. */
  listByUser(userId: Id, page?: Page): Promise<LedgerEntry[]>;
  /** The exact sum of the user's entries in one currency ("0" when there are none). */
  balance(userId: Id, currency: string): Promise<Money>;
}
