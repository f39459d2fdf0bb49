import type { Db as MongoDb, Document } from 'mongodb';
import { legacyIdOf } from '../../collections/mapping/legacyId.js';
import { classifyMixed } from '../../collections/mapping/mixed.js';
import { requiredMoney } from '../../collections/mapping/money.js';
import { isFieldReject, type Read } from '../../collections/mapping/reject.js';
import { classifyReference } from '../../collections/mapping/references.js';
import { enumWithDefault, optionalString, stringWithDefault } from '../../collections/mapping/scalars.js';
import { optionalEnum } from '../../collections/mapping/enums.js';
import {
  FUNDS_LEDGER_ENTRY_TYPES,
  PAYMENT_DIRECTIONS,
  PAYMENT_PROVIDERS,
  PAYMENT_STATUSES,
} from '../../legacy/enums.js';
import { GroupSums, groupKey, toScaled } from './exactSums.js';
import type { MoneyFigures } from './figures.js';
import { signContradicts } from './ledgerRules.js';

/** Documents the MongoDB side left out, by legacy id, and documents whose money the mapper cannot read. */
export interface MongoMoneyScope {
  /** legacy ids to leave out per collection (open rejects: they are not in Postgres by design). */
  readonly excluded: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface MongoMoney {
  readonly figures: MoneyFigures;
  /** Documents read per collection, excluded ones not counted. */
  readonly read: Record<string, number>;
  /** Not excluded, but their money or keys do not map: the mapper would reject them (a verify mismatch). */
  readonly unreadable: Record<string, string[]>;
}

const value = <T>(read: Read<T>): T => {
  if (isFieldReject(read)) throw read;
  return read;
};

/**
 * The MongoDB side, read with the mapper's own field readers (defaults, enums, money text, Mixed refs),
 * so a figure means what the migrated column means. Sums are exact BigInt over the mapper's decimal
 * text rather than a Decimal128 `$sum`: Decimal128 keeps 34 significant digits where numeric(38,18) keeps
 * 38, and `$toDecimal` of an old double is not the mapper's shortest round-trip reading of it. Only the
 * few fields needed are projected.
 */
export async function readMongoMoney(mongo: MongoDb, scope: MongoMoneyScope): Promise<MongoMoney> {
  const payments = new GroupSums();
  const ledgerByType = new GroupSums();
  const balances = new GroupSums();
  const escrowNet = new GroupSums();
  const contradictions = new Map<string, number>();
  const read: Record<string, number> = { payments: 0, fundsledgerentries: 0 };
  const unreadable: Record<string, string[]> = { payments: [], fundsledgerentries: [] };

  for await (const doc of stream(mongo, 'payments', scope, {
    status: 1,
    provider: 1,
    direction: 1,
    amount: 1,
  })) {
    read.payments!++;
    try {
      const amount = (doc.amount ?? {}) as Document;
      const key = groupKey(
        value(enumWithDefault(doc.status, 'status', PAYMENT_STATUSES, 'pending')),
        value(enumWithDefault(doc.provider, 'provider', PAYMENT_PROVIDERS, 'request.network')),
        value(enumWithDefault(doc.direction, 'direction', PAYMENT_DIRECTIONS, 'in')),
        value(stringWithDefault(amount.currency, 'amount.currency', 'USDT')),
      );
      payments.add(key, toScaled(value(requiredMoney(amount.value, 'amount.value'))));
    } catch {
      unreadable.payments!.push(String(doc.legacyId));
    }
  }

  for await (const doc of stream(mongo, 'fundsledgerentries', scope, {
    userId: 1,
    type: 1,
    amount: 1,
    currency: 1,
    purchaseRequestId: 1,
  })) {
    read.fundsledgerentries!++;
    try {
      const type = value(optionalEnum(doc.type, 'type', FUNDS_LEDGER_ENTRY_TYPES));
      const currency = value(optionalString(doc.currency, 'currency'));
      const amount = toScaled(value(requiredMoney(doc.amount, 'amount')));
      const user = classifyReference(doc.userId);
      if (user.kind !== 'id') throw new Error('userId is not an id');
      ledgerByType.add(groupKey(type, currency), amount);
      balances.add(groupKey(user.legacyId, currency), amount);
      if (type === 'escrow_hold' || type === 'escrow_release') {
        const request = value(classifyMixed(doc.purchaseRequestId, 'purchaseRequestId'));
        escrowNet.add(
          groupKey(request.kind === 'id' ? request.legacyId : request.kind === 'none' ? null : request.ref),
          amount,
        );
      }
      if (signContradicts(type, amount)) contradictions.set(type!, (contradictions.get(type!) ?? 0) + 1);
    } catch {
      unreadable.fundsledgerentries!.push(String(doc.legacyId));
    }
  }

  return {
    figures: {
      payments: payments.toMap(),
      ledgerByType: ledgerByType.toMap(),
      balances: balances.toMap(),
      escrowNet: escrowNet.toMap(),
      signContradictions: new Map([...contradictions].map(([type, n]) => [type, String(n)])),
    },
    read,
    unreadable,
  };
}

/** The documents of a collection not excluded, projected, each with its legacy id. */
async function* stream(
  mongo: MongoDb,
  collection: string,
  scope: MongoMoneyScope,
  projection: Document,
): AsyncGenerator<Document & { legacyId: string }> {
  const excluded = scope.excluded.get(collection) ?? new Set<string>();
  for await (const doc of mongo.collection<Document>(collection).find({}, { projection })) {
    let legacyId: string;
    try {
      legacyId = legacyIdOf(doc._id);
    } catch {
      continue; // an `_id` no row can be keyed by is always a reject; its money is never in Postgres
    }
    if (!excluded.has(legacyId)) yield { ...doc, legacyId };
  }
}
