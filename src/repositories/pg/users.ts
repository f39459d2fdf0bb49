import { ObjectId } from 'bson';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { REGISTRY } from '../../collections/registry.js';
import type { LegacyDoc } from '../../collections/spec.js';
import { asLegacyId, type LegacyId } from '../../db/ids.js';
import { users } from '../../db/schema/index.js';
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
import {
  insertMappedDocument,
  mapNewDocument,
  readDocuments,
  rewriteMappedDocument,
} from './mappedDocuments.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { newIdentity } from './newIdentity.js';
import { readDomainObject, readDomainObjects } from './readDomain.js';
import { inReadSnapshot, withClient } from './reads.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';
import { guardStamp, writeInstant } from './writeInstant.js';

const COLLECTION = 'users';
const DEFAULT_LIMIT = 50;

/** A row that stands for a live document (not tombstoned). */
const live = and(isNull(users.sourceDeletedAt), isNull(users.rejectedAt));

/** `profile.*` / `preferences.*` (dotted, as the Mongo repo `$set`s them) → the users column. */
const PROFILE_COLUMNS = {
  'profile.firstName': 'profileFirstName',
  'profile.lastName': 'profileLastName',
  'profile.displayName': 'profileDisplayName',
  'profile.avatarUrl': 'profileAvatarUrl',
  'profile.bio': 'profileBio',
  'profile.country': 'profileCountry',
  'preferences.language': 'prefLanguage',
  'preferences.currency': 'prefCurrency',
  'preferences.notifications.email': 'prefNotifyEmail',
  'preferences.notifications.telegram': 'prefNotifyTelegram',
} as const satisfies Record<string, keyof typeof users.$inferInsert>;

/** The fields of NewUser a created document holds, as the model declares them (Mongoose's strict mode). */
const NEW_USER_FIELDS = [
  'email',
  'password',
  'role',
  'status',
  'profile',
  'preferences',
  'points',
  'level',
  'referralCode',
  'referredBy',
  'emailVerified',
  'emailVerificationToken',
  'emailVerificationExpires',
  'telegramId',
] as const satisfies readonly (keyof NewUser)[];

/** `{a: {b: 1}}` under `p` → `{'p.a.b': 1}`; undefined values are left out (as the Mongo repo does). */
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

/** Points are int4: a fractional amount is refused before anything is noted, as the Mongo repo does. */
function assertInteger(id: Id, what: string, value: number): void {
  if (!Number.isSafeInteger(value)) throw new DomainRuleError(COLLECTION, id, `${what} must be an integer`);
}

/** Drops undefined values, as Mongoose does not store them. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Users with Postgres authoritative (pg mode). Reads answer the same domain objects as MongoUserRepo
 * (rows → document through the spec's unmap → toDomain, secrets dropped by toJSON). Each write is ONE
 * transaction that notes and advisory-locks the user (the forward sync's lock) before touching its rows.
 * Counters move by one UPDATE … SET col = COALESCE(col, 0) + $n RETURNING, never read and written back;
 * the token and passkey lists (child tables) are rebuilt from the document through `spec.map` and
 * written back by rewriteMappedDocument, under the document lock, so no concurrent write is lost.
 */
export class DrizzleUserRepo implements IUserRepo {
  constructor(private readonly ctx: PgContext) {}

  async create(input: NewUser): Promise<User> {
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      const identity = await newIdentity(tx.client, COLLECTION);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId: identity.legacyId }]);
      const at = await writeInstant(tx.client);
      const given: Record<string, unknown> = {};
      for (const field of NEW_USER_FIELDS) if (input[field] !== undefined) given[field] = input[field];
      // The document Mongoose would save: its defaults, lower-case email, an ObjectId referredBy.
      const doc: LegacyDoc = defined({
        _id: new ObjectId(identity.legacyId),
        ...given,
        email: input.email?.toLowerCase(),
        role: input.role ?? 'buyer',
        status: input.status ?? 'active',
        referredBy: input.referredBy === undefined ? undefined : new ObjectId(input.referredBy),
        passkeys: [],
        refreshTokens: [],
        createdAt: at,
        updatedAt: at,
      });
      const mapped = await mapNewDocument(tx.client, REGISTRY.get(COLLECTION), identity.legacyId, doc);
      await insertMappedDocument(tx.client, REGISTRY.get(COLLECTION), identity, doc, mapped);
      return this.#read(tx, identity.legacyId);
    });
  }

  async updateProfile(id: Id, changes: ProfileChanges): Promise<User> {
    const set: Partial<typeof users.$inferInsert> = {};
    const paths = {
      ...dottedPaths('profile', changes.profile),
      ...dottedPaths('preferences', changes.preferences),
    };
    for (const [path, value] of Object.entries(paths)) {
      const column = PROFILE_COLUMNS[path as keyof typeof PROFILE_COLUMNS];
      if (!column) throw new DomainRuleError(COLLECTION, id, `${path} is not a profile field`);
      (set as Record<string, unknown>)[column] = value;
    }
    return this.#write(id, async (tx, at) => {
      const updated = await tx.db
        .update(users)
        .set({ ...set, ...this.#stamp(at) })
        .where(and(eq(users.legacyObjectId, asLegacyId(id)), live))
        .returning({ id: users.id });
      if (updated.length === 0) throw new NotFoundError(COLLECTION, id);
      return this.#read(tx, asLegacyId(id));
    });
  }

  async incrementPoints(id: Id, delta: number): Promise<number> {
    assertInteger(id, 'points delta', delta);
    return this.#write(id, async (tx, at) => {
      const [updated] = await tx.db
        .update(users)
        .set({ points: sql`COALESCE(${users.points}, 0) + ${delta}::int`, ...this.#stamp(at) })
        .where(and(eq(users.legacyObjectId, asLegacyId(id)), live))
        .returning({ points: users.points });
      if (!updated) throw new NotFoundError(COLLECTION, id);
      return updated.points ?? 0;
    });
  }

  async addRefreshToken(id: Id, token: NewRefreshToken): Promise<void> {
    const written = await this.#writeList(id, (doc, at) => {
      const list = (doc.refreshTokens as LegacyDoc[] | undefined) ?? [];
      doc.refreshTokens = [
        ...list,
        defined({ ...token, createdAt: token.createdAt ?? at, _id: new ObjectId() }),
      ];
      return true;
    });
    if (!written) throw new NotFoundError(COLLECTION, id);
  }

  async revokeRefreshToken(id: Id, tokenHash: string): Promise<boolean> {
    return this.#writeList(id, (doc, at) => {
      let revoked = false;
      // Every live element with this hash (`revokedAt: null` matches absent or null): a first
      // revocation's time is kept.
      for (const token of (doc.refreshTokens as Record<string, unknown>[] | undefined) ?? []) {
        if (token.tokenHash !== tokenHash || (token.revokedAt !== undefined && token.revokedAt !== null))
          continue;
        token.revokedAt = at;
        revoked = true;
      }
      return revoked;
    }).then((written) => written !== null);
  }

  async addPasskey(id: Id, passkey: NewPasskey): Promise<User> {
    const written = await this.#writeList(id, (doc, at) => {
      const list = (doc.passkeys as LegacyDoc[] | undefined) ?? [];
      // Mongoose's subdocument: its own `_id`, `transports` defaulted to [], createdAt to now.
      doc.passkeys = [
        ...list,
        defined({
          ...passkey,
          transports: passkey.transports ?? [],
          createdAt: passkey.createdAt ?? at,
          _id: new ObjectId(),
        }),
      ];
      return true;
    });
    if (!written) throw new NotFoundError(COLLECTION, id);
    return written;
  }

  async recordLogin(id: Id, at: Date = new Date()): Promise<void> {
    await this.#write(id, async (tx, now) => {
      const updated = await tx.db
        .update(users)
        .set({ lastLoginAt: at, ...this.#stamp(now) })
        .where(and(eq(users.legacyObjectId, asLegacyId(id)), live))
        .returning({ id: users.id });
      if (updated.length === 0) throw new NotFoundError(COLLECTION, id);
    });
  }

  async rewardReferral(referrerId: Id, points: number): Promise<User> {
    assertInteger(referrerId, 'referral points', points);
    return this.#write(referrerId, async (tx, at) => {
      // One statement: the balance and both stats move together or not at all.
      const updated = await tx.db
        .update(users)
        .set({
          points: sql`COALESCE(${users.points}, 0) + ${points}::int`,
          referralTotalReferred: sql`COALESCE(${users.referralTotalReferred}, 0) + 1`,
          referralTotalEarnedPoints: sql`COALESCE(${users.referralTotalEarnedPoints}, 0) + ${points}::int`,
          ...this.#stamp(at),
        })
        .where(and(eq(users.legacyObjectId, asLegacyId(referrerId)), live))
        .returning({ id: users.id });
      if (updated.length === 0) throw new NotFoundError(COLLECTION, referrerId);
      return this.#read(tx, asLegacyId(referrerId));
    });
  }

  async findById(id: Id): Promise<User | null> {
    return withClient(this.ctx.pool, async (client) => {
      const found = await readDomainObject<User>(client, COLLECTION, asLegacyId(id), USER_PRIVATE_FIELDS);
      return found ? withDefaults(found) : null;
    });
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.#findBy('email', email.toLowerCase());
  }

  async findByReferralCode(referralCode: string): Promise<User | null> {
    return this.#findBy('referral_code', referralCode);
  }

  async list(page: Page = {}): Promise<User[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's `_id: -1`: ObjectIds (24-hex, bytewise) above string ids, each type descending.
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM users
          WHERE source_deleted_at IS NULL AND rejected_at IS NULL
          ORDER BY (legacy_object_id ~ '^[0-9a-f]{24}$') DESC, legacy_object_id COLLATE "C" DESC
          LIMIT $1 OFFSET $2`,
        [page.limit ?? DEFAULT_LIMIT, page.offset ?? 0],
      );
      const found = await readDomainObjects<User>(
        client,
        COLLECTION,
        rows.map((r) => r.legacy_object_id),
        USER_PRIVATE_FIELDS,
      );
      return found.map(withDefaults);
    });
  }

  async #findBy(column: 'email' | 'referral_code', value: string): Promise<User | null> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM users
          WHERE ${column} = $1 AND source_deleted_at IS NULL AND rejected_at IS NULL
          ORDER BY legacy_object_id COLLATE "C" LIMIT 1`,
        [value],
      );
      if (!rows[0]) return null;
      const found = await readDomainObject<User>(
        client,
        COLLECTION,
        rows[0].legacy_object_id,
        USER_PRIVATE_FIELDS,
      );
      return found ? withDefaults(found) : null;
    });
  }

  /** One write transaction on one user: noted and locked first, then `fn` with the write instant. */
  async #write<T>(id: Id, fn: (tx: WriteTransaction, at: Date) => Promise<T>): Promise<T> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      return fn(tx, await writeInstant(tx.client));
    });
  }

  /**
   * A change to the user's token or passkey list: under the user's lock, the document as Postgres holds
   * it is changed by `edit` (false: nothing to write), stamped with the new `updatedAt` and written back
   * as the forward sync would (rewriteMappedDocument: main row, child rows, notes, links). Returns the
   * user after it, or null when there is no such user or `edit` wrote nothing.
   */
  async #writeList(id: Id, edit: (doc: LegacyDoc, at: Date) => boolean): Promise<User | null> {
    const legacyId = asLegacyId(id);
    return this.#write(id, async (tx, at) => {
      const [doc] = await readDocuments(tx.client, REGISTRY.get(COLLECTION), [legacyId]);
      if (!doc || !edit(doc, at)) return null;
      doc.updatedAt = at;
      await rewriteMappedDocument(tx.client, REGISTRY.get(COLLECTION), legacyId, doc);
      return this.#read(tx, legacyId);
    });
  }

  /** What every write sets on the main row: Mongoose's `updatedAt`, the version, the guard's stamp. */
  #stamp(at: Date) {
    return { updatedAt: at, sourceUpdatedAt: at, sourceReadAt: guardStamp() };
  }

  /** The domain object of a user this transaction just wrote (it is live: the write succeeded). */
  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<User> {
    const found = await readDomainObject<User>(tx.client, COLLECTION, legacyId, USER_PRIVATE_FIELDS);
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return withDefaults(found);
  }
}

/** The schema's defaults, as MongoUserRepo applies them to documents older than them. */
function withDefaults(user: User): User {
  user.role ??= 'buyer';
  user.status ??= 'active';
  user.passkeys ??= [];
  user.refreshTokens ??= [];
  return user;
}
