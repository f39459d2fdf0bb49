import { ObjectId } from 'bson';
import type { Document } from 'mongodb';

/**
 * docs/data-policy.md as an executable oracle for the money core, written from the policy and
 * legacy-schema.md and not from the generators: given a source document and which parent ids will
 * migrate, it predicts the outcome (reject reason, or the anomalies of a migrated row). The tests hold
 * every generated document to it: a clean document must predict "migrated, no anomaly", a quirky one
 * exactly its label. So a clean document pointing at a parent that will be rejected fails here.
 */
export interface Prediction {
  reject?: string;
  anomalies: Set<string>;
}

/** Where a rule looks: `a.b` or `arr[].b` (each element of arr; null elements are the array rule's business). */
type Path = string;

type Rule =
  | { ref: Path; parent: string; kind: 'required' | 'optional' | 'mixed' }
  /** An array of ids to a parent (a junction): nulls, repeats and gone ids are anomalies. */
  | { ids: Path; parent: string }
  /** An array that becomes child rows: null elements are skipped with an anomaly. */
  | { rows: Path }
  | { money: Path; required: boolean }
  | { enumOf: Path; values: readonly string[] }
  | { int: Path; min?: number; max?: number; required?: boolean };

const REQUEST_STATUSES = [
  'draft',
  'open',
  'in_progress',
  'awaiting_delivery',
  'delivered',
  'completed',
  'disputed',
  'cancelled',
  'expired',
];

/** legacy-schema.md's money core, as rules. */
export const RULES: Record<string, readonly Rule[]> = {
  purchaserequests: [
    { ref: 'buyerId', parent: 'users', kind: 'required' },
    { ref: 'categoryId', parent: 'categories', kind: 'optional' },
    { ref: 'deliveryInfo.addressId', parent: 'addresses', kind: 'optional' },
    { ref: 'acceptedOfferId', parent: 'selleroffers', kind: 'optional' },
    { ids: 'offers', parent: 'selleroffers' },
    { ids: 'preferredSellerIds', parent: 'users' },
    { money: 'budget.amount', required: false },
    { enumOf: 'budget.currency', values: ['USDT', 'USDC', 'USD', 'EUR'] },
    { enumOf: 'status', values: REQUEST_STATUSES },
    { enumOf: 'deliveryInfo.method', values: ['shipping', 'pickup', 'digital'] },
    { int: 'quantity' },
    { int: 'serviceInfo.durationMinutes' },
  ],
  selleroffers: [
    { ref: 'purchaseRequestId', parent: 'purchaserequests', kind: 'required' },
    { ref: 'sellerId', parent: 'users', kind: 'required' },
    { money: 'price.amount', required: false },
    { int: 'deliveryDays' },
    { enumOf: 'status', values: ['pending', 'accepted', 'rejected', 'withdrawn', 'expired'] },
  ],
  payments: [
    { ref: 'purchaseRequestId', parent: 'purchaserequests', kind: 'mixed' },
    { ref: 'sellerOfferId', parent: 'selleroffers', kind: 'mixed' },
    { ref: 'buyerId', parent: 'users', kind: 'required' },
    { ref: 'sellerId', parent: 'users', kind: 'mixed' },
    { money: 'amount.value', required: true },
    { enumOf: 'provider', values: ['request.network', 'amn.scanner', 'shkeeper', 'other'] },
    { enumOf: 'direction', values: ['in', 'out', 'refund'] },
    {
      enumOf: 'status',
      values: ['pending', 'processing', 'completed', 'failed', 'cancelled', 'refunded', 'expired'],
    },
    {
      enumOf: 'escrowState',
      values: ['funded', 'releasable', 'released', 'refunded', 'releasing', 'failed', 'cancelled', 'partial'],
    },
  ],
  fundsledgerentries: [
    { ref: 'purchaseRequestId', parent: 'purchaserequests', kind: 'mixed' },
    { ref: 'paymentId', parent: 'payments', kind: 'mixed' },
    { ref: 'userId', parent: 'users', kind: 'required' },
    {
      enumOf: 'type',
      values: ['escrow_hold', 'escrow_release', 'refund', 'aml_fee', 'platform_fee', 'payout', 'adjustment'],
    },
    { money: 'amount', required: true },
  ],
  deriveddestinations: [
    { ref: 'buyerId', parent: 'users', kind: 'required' },
    { ref: 'sellerId', parent: 'users', kind: 'mixed' },
    { ref: 'paymentId', parent: 'payments', kind: 'mixed' },
    { enumOf: 'chain', values: ['ethereum', 'tron', 'bsc', 'polygon'] },
    { enumOf: 'status', values: ['active', 'swept', 'sweeping', 'quarantined'] },
    { int: 'derivationIndex', min: 0, required: true },
    { rows: 'sweepHistory' },
    { money: 'sweepHistory[].amount', required: false },
  ],
  trezoraccounts: [
    { rows: 'addresses' },
    { ref: 'addresses[].destinationId', parent: 'deriveddestinations', kind: 'optional' },
    { int: 'addresses[].index', min: 0 },
    { int: 'nextIndex', min: 0 },
  ],
  pointtransactions: [
    { ref: 'userId', parent: 'users', kind: 'required' },
    { enumOf: 'type', values: ['earn', 'spend', 'referral_bonus', 'adjustment', 'expire'] },
    { int: 'points', required: true },
    { int: 'balanceAfter' },
  ],
  disputes: [
    { ref: 'purchaseRequestId', parent: 'purchaserequests', kind: 'required' },
    { ref: 'paymentId', parent: 'payments', kind: 'optional' },
    { ref: 'openedBy', parent: 'users', kind: 'required' },
    { ref: 'againstUserId', parent: 'users', kind: 'required' },
    { enumOf: 'reason', values: ['not_delivered', 'not_as_described', 'damaged', 'fraud', 'other'] },
    {
      enumOf: 'status',
      values: ['open', 'under_review', 'awaiting_evidence', 'resolved_buyer', 'resolved_seller', 'cancelled'],
    },
    { rows: 'evidence' },
    { ref: 'evidence[].uploadedBy', parent: 'users', kind: 'optional' },
    { enumOf: 'evidence[].type', values: ['image', 'document', 'link', 'text'] },
    { rows: 'timeline' },
    { ref: 'timeline[].actor', parent: 'users', kind: 'optional' },
    { ref: 'resolution.resolvedBy', parent: 'users', kind: 'optional' },
    { money: 'resolution.refundAmount', required: false },
  ],
  reviews: [
    { ref: 'reviewerId', parent: 'users', kind: 'required' },
    { ref: 'revieweeId', parent: 'users', kind: 'required' },
    { ref: 'purchaseRequestId', parent: 'purchaserequests', kind: 'optional' },
    { int: 'rating', min: 1, max: 5, required: true },
  ],
};

/** The values at a path: one per array element for `arr[].x` (null elements skipped). */
function valuesAt(doc: Document, path: Path): { value: unknown; present: boolean }[] {
  const [head, ...rest] = path.split('[].');
  const walk = (from: unknown, dotted: string) => {
    let value: unknown = from;
    for (const key of dotted.split('.')) {
      if (value === null || typeof value !== 'object' || !(key in value))
        return { value: undefined, present: false };
      value = (value as Document)[key];
    }
    return { value, present: true };
  };
  if (rest.length === 0) return [walk(doc, head ?? '')];
  const array = walk(doc, head ?? '').value;
  if (!Array.isArray(array)) return [];
  return array.filter((item) => item !== null).map((item) => walk(item, rest.join('[].')));
}

const HEX24 = /^[0-9a-f]{24}$/;
const idOf = (v: unknown): string | undefined =>
  v instanceof ObjectId ? v.toHexString() : typeof v === 'string' && HEX24.test(v) ? v : undefined;

/** numeric(38,18) without rounding: at most 20 integer and 18 fraction digits. */
function moneyFits(text: string): boolean {
  const match = /^-?(\d+)(?:\.(\d+))?$/.exec(text);
  if (match === null) return false;
  return (match[1] ?? '').replace(/^0+(?=\d)/, '').length <= 20 && (match[2] ?? '').length <= 18;
}

/** Shortest round-trip decimal of a double, without exponent notation. */
function doubleText(value: number): string {
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/0+$/, '') : text;
}

export function predict(
  collection: string,
  doc: Document,
  migrating: (parent: string, id: string) => boolean,
): Prediction {
  const out: Prediction = { anomalies: new Set() };
  const reject = (reason: string) => {
    out.reject ??= reason;
  };
  for (const rule of RULES[collection] ?? []) {
    if ('ref' in rule) {
      for (const { value, present } of valuesAt(doc, rule.ref)) {
        const id = idOf(value);
        if (id !== undefined) {
          if (migrating(rule.parent, id)) continue;
          if (rule.kind === 'required') reject('orphan_reference');
          else out.anomalies.add('dangling_reference');
        } else if (!present || value === null || (rule.kind === 'mixed' && value === '')) {
          if (rule.kind === 'required') reject('missing_field');
        } else if (rule.kind === 'mixed' && typeof value === 'string') {
          if (!value.startsWith('tmpl_')) out.anomalies.add('unrecognised_reference');
        } else {
          reject('invalid_reference');
        }
      }
    } else if ('ids' in rule) {
      const array = valuesAt(doc, rule.ids)[0]?.value;
      if (!Array.isArray(array)) continue;
      const seen = new Set<string>();
      for (const item of array) {
        if (item === null) out.anomalies.add('null_array_element');
        else {
          const id = idOf(item);
          if (id === undefined) reject('invalid_reference');
          else if (seen.has(id)) out.anomalies.add('duplicate_array_element');
          else if (!migrating(rule.parent, id)) out.anomalies.add('dangling_reference');
          seen.add(id ?? '');
        }
      }
    } else if ('rows' in rule) {
      const array = valuesAt(doc, rule.rows)[0]?.value;
      if (Array.isArray(array) && array.includes(null)) out.anomalies.add('null_array_element');
    } else if ('money' in rule) {
      for (const { value, present } of valuesAt(doc, rule.money)) {
        if (!present || value === null) {
          if (rule.required) reject('missing_field');
        } else if (typeof value === 'number') {
          if (!Number.isFinite(value) || !moneyFits(doubleText(value))) reject('invalid_money');
        } else if (typeof value === 'string') {
          if (!moneyFits(value)) reject('invalid_money');
        } else if ((value as { _bsontype?: string })._bsontype === 'Decimal128') {
          if (!moneyFits(String(value))) reject('invalid_money');
        } else reject('invalid_money');
      }
    } else if ('enumOf' in rule) {
      for (const { value, present } of valuesAt(doc, rule.enumOf)) {
        if (present && value !== null && !rule.values.includes(value as string)) reject('invalid_enum');
      }
    } else {
      for (const { value, present } of valuesAt(doc, rule.int)) {
        if (!present || value === null) {
          if (rule.required) reject('missing_field');
        } else if (typeof value !== 'number' || !Number.isInteger(value)) reject('invalid_type');
        else if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max))
          reject('invalid_type');
      }
    }
  }
  return out;
}
