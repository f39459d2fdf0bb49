/**
 * Every enum value found in production data (legacy-schema.md), in one place: the Mongoose models, the
 * Postgres enums and the synthetic generator all take their values from here, so they cannot drift.
 * Where the model has a default, it is the first value.
 */
export const DESTINATION_CHAINS = ['ethereum', 'tron', 'bsc', 'polygon'] as const;
export const DERIVED_DESTINATION_STATUSES = ['active', 'swept', 'sweeping', 'quarantined'] as const;
/** Enums as found in production (legacy-schema.md); the contract states no default. */
export const DISPUTE_REASONS = ['not_delivered', 'not_as_described', 'damaged', 'fraud', 'other'] as const;
export const DISPUTE_STATUSES = [
  'open',
  'under_review',
  'awaiting_evidence',
  'resolved_buyer',
  'resolved_seller',
  'cancelled',
] as const;
export const EVIDENCE_TYPES = ['image', 'document', 'link', 'text'] as const;
/** Every entry type found in production (legacy-schema.md); none is a default. */
export const FUNDS_LEDGER_ENTRY_TYPES = [
  'escrow_hold',
  'escrow_release',
  'refund',
  'aml_fee',
  'platform_fee',
  'payout',
  'adjustment',
] as const;
/** Enums as found in production (legacy-schema.md); the first value is the model's default. */
export const PAYMENT_PROVIDERS = ['request.network', 'amn.scanner', 'shkeeper', 'other'] as const;
export const PAYMENT_DIRECTIONS = ['in', 'out', 'refund'] as const;
export const PAYMENT_STATUSES = [
  'pending',
  'processing',
  'completed',
  'failed',
  'cancelled',
  'refunded',
  'expired',
] as const;
/** No default: a payment has no escrow state until escrow starts. */
export const ESCROW_STATES = [
  'funded',
  'releasable',
  'released',
  'refunded',
  'releasing',
  'failed',
  'cancelled',
  'partial',
] as const;
export const POINT_TRANSACTION_TYPES = ['earn', 'spend', 'referral_bonus', 'adjustment', 'expire'] as const;
/** Enums as found in production (legacy-schema.md). None has a default: the contract states none. */
export const PURCHASE_REQUEST_STATUSES = [
  'draft',
  'open',
  'in_progress',
  'awaiting_delivery',
  'delivered',
  'completed',
  'disputed',
  'cancelled',
  'expired',
] as const;
export const BUDGET_CURRENCIES = ['USDT', 'USDC', 'USD', 'EUR'] as const;
export const DELIVERY_METHODS = ['shipping', 'pickup', 'digital'] as const;
/** As found in production (legacy-schema.md); the contract states no default. */
export const SELLER_OFFER_STATUSES = ['pending', 'accepted', 'rejected', 'withdrawn', 'expired'] as const;
/** Enums as found in production (legacy-schema.md); the first value is the model's default. */
export const USER_ROLES = ['buyer', 'seller', 'admin'] as const;
export const USER_STATUSES = ['active', 'suspended', 'deleted'] as const;
