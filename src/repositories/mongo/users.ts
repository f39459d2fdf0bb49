import { Types } from 'mongoose';
import { DomainRuleError, NotFoundError, type Id, type Page } from '../domain/common.js';
import {
  USER_PRIVATE_FIELDS,
  type IUserRepo,
  type NewPasskey,
  type NewRefreshToken,
  type NewUser,
  type ProfileChanges,
  type User,
} from '../domain/users.js';
import { noteWrite } from '../seam/writeLog.js';
import type { MongoContext } from './context.js';
import { saveUnique } from './duplicateKey.js';
import { toDomain } from './toDomain.js';

const COLLECTION = 'users';
const DEFAULT_LIMIT = 50;

/**
 * Users through Mongoose. Points and referral stats move only by `$inc` (the legacy app's one atomic
 * tool on a standalone MongoDB), token and passkey lists only by `$push` and positional `$set`, so no
 * write here reads a value and writes it back. Every method notes the one user it writes before writing.
 */
export class MongoUserRepo implements IUserRepo {
  constructor(private readonly ctx: MongoContext) {}

  async create(input: NewUser): Promise<User> {
    const document = new this.ctx.models.User({ ...input, email: input.email?.toLowerCase() });
    noteWrite(COLLECTION, document._id);
    await saveUnique(COLLECTION, document);
    return toUser(document.toObject());
  }

  async updateProfile(id: Id, changes: ProfileChanges): Promise<User> {
    // Dotted paths: the fields not given keep their stored value (a `$set` of `profile` would drop them).
    const set = {
      ...dottedPaths('profile', changes.profile),
      ...dottedPaths('preferences', changes.preferences),
    };
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const updated = await this.ctx.models.User.findOneAndUpdate(
      { _id: id },
      { $set: set },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw new NotFoundError(COLLECTION, id);
    return toUser(updated);
  }

  async incrementPoints(id: Id, delta: number): Promise<number> {
    assertInteger(id, 'points delta', delta);
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const updated = await this.ctx.models.User.findOneAndUpdate(
      { _id: id },
      { $inc: { points: delta } },
      { returnDocument: 'after', projection: { points: 1 } },
    ).lean();
    if (!updated) throw new NotFoundError(COLLECTION, id);
    return updated.points ?? 0;
  }

  async addRefreshToken(id: Id, token: NewRefreshToken): Promise<void> {
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const { matchedCount } = await this.ctx.models.User.updateOne(
      { _id: id },
      { $push: { refreshTokens: { ...token, createdAt: token.createdAt ?? new Date() } } },
    );
    if (matchedCount === 0) throw new NotFoundError(COLLECTION, id);
  }

  async revokeRefreshToken(id: Id, tokenHash: string): Promise<boolean> {
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const revokedAt = new Date();
    // The positional `$` revokes one element per update (arrayFilters would do all at once, but the
    // embedded server refuses them): repeat while a live element with this hash is left, so a hash that
    // legacy data holds twice cannot stay usable. `revokedAt: null` keeps a first revocation's time.
    let revoked = 0;
    for (;;) {
      const { modifiedCount } = await this.ctx.models.User.updateOne(
        { _id: id, refreshTokens: { $elemMatch: { tokenHash, revokedAt: null } } },
        { $set: { 'refreshTokens.$.revokedAt': revokedAt } },
      );
      if (modifiedCount === 0) return revoked > 0;
      revoked += 1;
    }
  }

  async addPasskey(id: Id, passkey: NewPasskey): Promise<User> {
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const updated = await this.ctx.models.User.findOneAndUpdate(
      { _id: id },
      { $push: { passkeys: { ...passkey, createdAt: passkey.createdAt ?? new Date() } } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw new NotFoundError(COLLECTION, id);
    return toUser(updated);
  }

  async recordLogin(id: Id, at: Date = new Date()): Promise<void> {
    noteWrite(COLLECTION, new Types.ObjectId(id));
    const { matchedCount } = await this.ctx.models.User.updateOne({ _id: id }, { $set: { lastLoginAt: at } });
    if (matchedCount === 0) throw new NotFoundError(COLLECTION, id);
  }

  async rewardReferral(referrerId: Id, points: number): Promise<User> {
    assertInteger(referrerId, 'referral points', points);
    noteWrite(COLLECTION, new Types.ObjectId(referrerId));
    // One document, one `$inc`: the balance and both stats move together or not at all.
    const updated = await this.ctx.models.User.findOneAndUpdate(
      { _id: referrerId },
      {
        $inc: {
          points,
          'referralStats.totalReferred': 1,
          'referralStats.totalEarnedPoints': points,
        },
      },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw new NotFoundError(COLLECTION, referrerId);
    return toUser(updated);
  }

  async findById(id: Id): Promise<User | null> {
    const found = await this.ctx.models.User.findById(id).lean();
    return found ? toUser(found) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const found = await this.ctx.models.User.findOne({ email: email.toLowerCase() }).lean();
    return found ? toUser(found) : null;
  }

  async findByReferralCode(referralCode: string): Promise<User | null> {
    const found = await this.ctx.models.User.findOne({ referralCode }).lean();
    return found ? toUser(found) : null;
  }

  async list(page: Page = {}): Promise<User[]> {
    const found = await this.ctx.models.User.find({})
      .sort({ _id: -1 })
      .skip(page.offset ?? 0)
      .limit(page.limit ?? DEFAULT_LIMIT)
      .lean();
    return found.map((one) => toUser(one));
  }
}

/**
 * A lean user as the legacy app saw it through a hydrated document: the schema's defaults apply to
 * documents older than them, as Postgres' column defaults do, so both stores answer alike.
 */
function toUser(document: Record<string, unknown>): User {
  const user = toDomain<User>(document, USER_PRIVATE_FIELDS);
  user.role ??= 'buyer';
  user.status ??= 'active';
  user.passkeys ??= [];
  user.refreshTokens ??= [];
  return user;
}

/** `{a: {b: 1}}` under `p` → `{'p.a.b': 1}`; undefined values are left out. */
function dottedPaths(prefix: string, value: object | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value ?? {})) {
    if (inner === undefined) continue;
    const path = `${prefix}.${key}`;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Date))
      Object.assign(out, dottedPaths(path, inner as object));
    else out[path] = inner;
  }
  return out;
}

/** Points are int4 in Postgres: a fractional amount would be a document the sync must reject. */
function assertInteger(id: Id, what: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new DomainRuleError(COLLECTION, id, `${what} must be an integer`);
}
