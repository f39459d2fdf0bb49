/**
 * The sign convention of funds ledger entries (legacy-schema.md: "amount D128 (signed)", debits
 * negative): money leaving a user's balance is a debit. `adjustment` may go either way.
 */
export const DEBIT_TYPES: readonly string[] = [
  'platform_fee',
  'aml_fee',
  'escrow_release',
  'payout',
  'refund',
];
export const CREDIT_TYPES: readonly string[] = ['escrow_hold'];

/** True when an entry's sign contradicts its type (zero never does). */
export function signContradicts(type: string | null, scaled: bigint): boolean {
  if (type === null) return false;
  if (DEBIT_TYPES.includes(type)) return scaled > 0n;
  if (CREDIT_TYPES.includes(type)) return scaled < 0n;
  return false;
}
