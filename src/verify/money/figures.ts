/** The money figures one store gives; both stores fill the same shape, keyed the same way. */
export interface MoneyFigures {
  /** `status|provider|direction|currency` → SUM(payments.amount). */
  readonly payments: Map<string, string>;
  /** `type|currency` → SUM(funds_ledger_entries.amount). */
  readonly ledgerByType: Map<string, string>;
  /** `user legacy id|currency` → the user's ledger balance. */
  readonly balances: Map<string, string>;
  /** purchase request (legacy id or its string ref) → escrow_hold + escrow_release, signed. */
  readonly escrowNet: Map<string, string>;
  /** ledger entry type → how many entries have a sign their type forbids. */
  readonly signContradictions: Map<string, string>;
}
