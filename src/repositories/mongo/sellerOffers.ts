import { Types } from 'mongoose';
import { normaliseDecimal } from '../../collections/mapping/money.js';
import { DomainRuleError, NotFoundError, type Id, type Money, type Page } from '../domain/common.js';
import type {
  ISellerOfferRepo,
  NewSellerOffer,
  SellerOffer,
  SellerOfferStatus,
} from '../domain/sellerOffers.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { toDomain } from './toDomain.js';

const COLLECTION = 'selleroffers';
const DEFAULT_LIMIT = 50;

/**
 * Seller offers through Mongoose. A status change is one `findOneAndUpdate` whose filter holds the
 * status it starts from: MongoDB applies it to one document atomically, so of two racing changes
 * exactly one matches. Each method notes the offer before writing it.
 */
export class MongoSellerOfferRepo implements ISellerOfferRepo {
  constructor(private readonly ctx: MongoContext) {}

  async create(input: NewSellerOffer): Promise<SellerOffer> {
    const document = new this.ctx.models.SellerOffer({
      ...input,
      price: { amount: input.price.value, currency: input.price.currency },
      status: 'pending',
    });
    noteWrite(COLLECTION, document._id);
    await document.save();
    return toSellerOffer(document.toObject());
  }

  async changeStatus(id: Id, from: SellerOfferStatus, to: SellerOfferStatus): Promise<SellerOffer> {
    const { SellerOffer } = this.ctx.models;
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const updated = await SellerOffer.findOneAndUpdate(
      { _id: id, status: from },
      { $set: { status: to } },
      { returnDocument: 'after' },
    ).lean();
    if (updated) return toSellerOffer(updated);
    const current = await SellerOffer.findById(id, { status: 1 }).lean();
    if (!current) throw new NotFoundError(COLLECTION, id);
    throw new DomainRuleError(COLLECTION, id, `is ${current.status ?? 'without a status'}, not ${from}`);
  }

  async findById(id: Id): Promise<SellerOffer | null> {
    const found = await this.ctx.models.SellerOffer.findById(id).lean();
    return found ? toSellerOffer(found) : null;
  }

  async listByRequest(purchaseRequestId: Id): Promise<SellerOffer[]> {
    const found = await this.ctx.models.SellerOffer.find({ purchaseRequestId }).sort({ _id: 1 }).lean();
    return found.map((one) => toSellerOffer(one));
  }

  async listBySeller(sellerId: Id, page: Page = {}): Promise<SellerOffer[]> {
    const found = await this.ctx.models.SellerOffer.find({ sellerId })
      .sort({ _id: -1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map((one) => toSellerOffer(one));
  }
}

export function toSellerOffer(document: Record<string, unknown>): SellerOffer {
  const offer = toDomain<SellerOffer>(document);
  const price = legacyAmountToMoney(offer.price);
  if (price) offer.price = price;
  else delete offer.price;
  return offer;
}

/**
 * A legacy `{ amount, currency }` subdocument (offer prices, request budgets) as Money; undefined when
 * there is no amount at all. The currency is '' when the document has none (offers never required one).
 */
export function legacyAmountToMoney(stored: unknown): Money | undefined {
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { amount, currency } = stored as { amount?: unknown; currency?: unknown };
  const value = plainDecimal(amount);
  return value === undefined ? undefined : { value, currency: typeof currency === 'string' ? currency : '' };
}

/**
 * A stored amount as plain decimal text, without float arithmetic: a Decimal128 (already its string
 * here, which may say `1E-18`), or a double or numeric string on old rows. Text that is already plain
 * is kept as it is (so "12.50" keeps its scale).
 */
export function plainDecimal(amount: unknown): string | undefined {
  if (amount === undefined || amount === null) return undefined;
  const text = String(amount).trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return text;
  const normalised = normaliseDecimal(text);
  return normalised && 'ok' in normalised ? normalised.ok : text;
}
