import { Types } from 'mongoose';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import type {
  AllocatedDestination,
  DerivedDestination,
  DerivedDestinationStatus,
  DestinationRequest,
  IDerivedDestinationRepo,
  NewSweep,
} from '../domain/derivedDestinations.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { nextDerivationIndex } from './derivationCounters.js';
import { checkedDecimalText, decimal128, storedDecimal } from './exactMoney.js';
import { mixedRef, toDomain } from './toDomain.js';
import { brokeUniqueIndex } from './duplicateKey.js';

const COLLECTION = 'deriveddestinations';
const UNIQUE_INDEX = 'uniq_destination_by_buyer_seller_chain';
/** A quarantined destination holds funds under review: nothing sweeps it. No status at all is a legacy active. */
const SWEEPABLE: readonly (DerivedDestinationStatus | null)[] = ['active', 'sweeping', 'swept', null];
const DEFAULT_LIMIT = 50;

/**
 * Derived destinations through Mongoose. The derivation index comes from an atomic per-(buyer, chain)
 * counter (./derivationCounters.ts), so concurrent allocations for different sellers get distinct
 * indexes; the unique {buyerId, sellerId, chain} index decides concurrent allocations for the same
 * seller, and the loser's index is simply never used (a gap in the sequence is harmless, a repeat is not).
 */
export class MongoDerivedDestinationRepo implements IDerivedDestinationRepo {
  constructor(private readonly ctx: MongoContext) {}

  async allocate(request: DestinationRequest): Promise<AllocatedDestination> {
    const existing = await this.#findFor(request);
    if (existing) return { destination: toDestination(existing), created: false };
    const derivationIndex = await nextDerivationIndex(this.ctx, request.buyerId, request.chain);
    const address = await request.deriveAddress(derivationIndex);
    const document = new this.ctx.models.DerivedDestination({
      buyerId: request.buyerId,
      sellerId: mixedRef(request.sellerId),
      chain: request.chain,
      derivationIndex,
      address,
      paymentId: mixedRef(request.paymentId),
      status: 'active',
      sweepHistory: [],
    });
    noteWrite(COLLECTION, document._id);
    try {
      await document.save();
      return { destination: toDestination(document.toObject()), created: true };
    } catch (error) {
      if (brokeUniqueIndex(error, UNIQUE_INDEX)) {
        const winner = await this.#findFor(request);
        if (winner) return { destination: toDestination(winner), created: false };
      }
      if (brokeUniqueIndex(error, 'address_1'))
        throw new DomainRuleError(COLLECTION, null, `address ${address} is already another destination's`);
      throw error;
    }
  }

  async recordSweep(id: Id, sweep: NewSweep): Promise<DerivedDestination> {
    const amount = checkedDecimalText(sweep.amount, COLLECTION, id);
    const { DerivedDestination } = this.ctx.models;
    noteWrite(COLLECTION, new Types.ObjectId(id));
    // One update: the status precondition and "this txHash not yet recorded" hold when the push lands.
    const updated = await DerivedDestination.findOneAndUpdate(
      { _id: id, status: { $in: SWEEPABLE }, 'sweepHistory.txHash': { $ne: sweep.txHash } },
      {
        $set: { status: 'swept' },
        $push: {
          sweepHistory: {
            txHash: sweep.txHash,
            amount: decimal128(amount),
            sweptAt: sweep.sweptAt ?? new Date(),
            status: sweep.status ?? 'confirmed',
          },
        },
      },
      { returnDocument: 'after' },
    ).lean();
    if (updated) return toDestination(updated);
    const current = await DerivedDestination.findById(id).lean();
    if (!current) throw new NotFoundError(COLLECTION, id);
    // A webhook repeated: the sweep is there already.
    if (current.sweepHistory.some((s) => s.txHash === sweep.txHash)) return toDestination(current);
    throw new DomainRuleError(COLLECTION, id, `a ${current.status} destination cannot be swept`);
  }

  async findById(id: Id): Promise<DerivedDestination | null> {
    const found = await this.ctx.models.DerivedDestination.findById(id).lean();
    return found ? toDestination(found) : null;
  }

  async findByAddress(address: string): Promise<DerivedDestination | null> {
    const found = await this.ctx.models.DerivedDestination.findOne({ address }).lean();
    return found ? toDestination(found) : null;
  }

  async listByBuyer(buyerId: Id, page: Page = {}): Promise<DerivedDestination[]> {
    const found = await this.ctx.models.DerivedDestination.find({ buyerId })
      .sort({ chain: 1, derivationIndex: 1, _id: 1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map(toDestination);
  }

  /** The index keys the raw Mixed sellerId, a missing one as null: `null` matches absent and null alike. */
  async #findFor(request: DestinationRequest) {
    return this.ctx.models.DerivedDestination.findOne({
      buyerId: request.buyerId,
      sellerId: mixedRef(request.sellerId) ?? null,
      chain: request.chain,
    }).lean();
  }
}

/** Sweep amounts exact, whatever an old row holds them as (a double, on old sweeps). */
export function toDestination(document: Record<string, unknown>): DerivedDestination {
  const id = String(document._id);
  const history: unknown[] = Array.isArray(document.sweepHistory) ? document.sweepHistory : [];
  const sweepHistory = history.map((sweep, at) => {
    if (typeof sweep !== 'object' || sweep === null) return sweep;
    const { amount } = sweep as { amount?: unknown };
    if (amount === undefined || amount === null) return sweep;
    const field = `sweepHistory.${at}.amount`;
    return { ...sweep, amount: storedDecimal(amount, { collection: COLLECTION, id, field }) };
  });
  return toDomain<DerivedDestination>({ ...document, sweepHistory });
}
