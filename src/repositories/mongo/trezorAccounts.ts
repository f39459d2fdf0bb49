import { Types } from 'mongoose';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import type {
  AddressRequest,
  ITrezorAccountRepo,
  NewTrezorAccount,
  TrezorAccount,
} from '../domain/trezorAccounts.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { toDomain } from './toDomain.js';
import { brokeUniqueIndex } from './duplicateKey.js';

const COLLECTION = 'trezoraccounts';
const DEFAULT_LIMIT = 50;
/** Compare-and-set rounds before appendAddress gives up; each lost round means another append landed. */
const APPEND_ATTEMPTS = 100;

/**
 * Trezor accounts through Mongoose. An address and the `nextIndex` after it are written by one update
 * that holds only if `nextIndex` is still the value read (compare-and-set): the index cannot be
 * incremented and known in the same `$inc`, and two writes would leave a crash between them.
 */
export class MongoTrezorAccountRepo implements ITrezorAccountRepo {
  constructor(private readonly ctx: MongoContext) {}

  async create(input: NewTrezorAccount): Promise<TrezorAccount> {
    const document = new this.ctx.models.TrezorAccount({ ...input, nextIndex: 0, addresses: [] });
    noteWrite(COLLECTION, document._id);
    try {
      await document.save();
    } catch (error) {
      if (brokeUniqueIndex(error, 'xpub_1'))
        throw new DomainRuleError(COLLECTION, null, 'xpub already registered');
      throw error;
    }
    return toAccount(document.toObject());
  }

  async relabel(id: Id, label: string): Promise<TrezorAccount> {
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const updated = await this.ctx.models.TrezorAccount.findOneAndUpdate(
      { _id: id },
      { $set: { label } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw new NotFoundError(COLLECTION, id);
    return toAccount(updated);
  }

  async appendAddress(id: Id, request: AddressRequest): Promise<TrezorAccount> {
    const { TrezorAccount } = this.ctx.models;
    for (let attempt = 1; attempt <= APPEND_ATTEMPTS; attempt++) {
      const current = await TrezorAccount.findById(id, { nextIndex: 1, 'addresses.index': 1 }).lean();
      if (!current) throw new NotFoundError(COLLECTION, id);
      // A legacy account without nextIndex continues after its highest address.
      const index = current.nextIndex ?? Math.max(-1, ...current.addresses.map((a) => a.index ?? -1)) + 1;
      const address = await request.deriveAddress(index);
      noteWrite(COLLECTION, current._id);
      const updated = await TrezorAccount.findOneAndUpdate(
        // `null` matches a missing nextIndex too.
        { _id: current._id, nextIndex: current.nextIndex ?? null },
        {
          $set: { nextIndex: index + 1 },
          $push: {
            addresses: {
              index,
              address,
              destinationId: request.destinationId ?? null,
              createdAt: new Date(),
            },
          },
        },
        { returnDocument: 'after' },
      ).lean();
      if (updated) return toAccount(updated);
    }
    throw new Error(`${COLLECTION} ${id}: nextIndex kept moving for ${APPEND_ATTEMPTS} attempts`);
  }

  async findById(id: Id): Promise<TrezorAccount | null> {
    const found = await this.ctx.models.TrezorAccount.findById(id).lean();
    return found ? toAccount(found) : null;
  }

  async findByXpub(xpub: string): Promise<TrezorAccount | null> {
    const found = await this.ctx.models.TrezorAccount.findOne({ xpub }).lean();
    return found ? toAccount(found) : null;
  }

  async list(page: Page = {}): Promise<TrezorAccount[]> {
    const found = await this.ctx.models.TrezorAccount.find()
      .sort({ _id: 1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map(toAccount);
  }
}

export function toAccount(document: Record<string, unknown>): TrezorAccount {
  const account = toDomain<TrezorAccount>(document);
  account.addresses ??= [];
  return account;
}
