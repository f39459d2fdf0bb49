import { and, eq, isNull } from 'drizzle-orm';
import type { LegacyId } from '../../db/ids.js';
import { levelConfigs } from '../../db/schema/index.js';
import { DomainRuleError } from '../domain/common.js';
import type { ILevelConfigRepo, LevelConfig, LevelConfigFields } from '../domain/levelConfigs.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { newIdentity } from './newIdentity.js';
import { readDomainObject, readDomainObjects } from './readDomain.js';
import { inReadSnapshot } from './reads.js';
import { lockScope } from './scopeLock.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';
import { guardStamp, writeInstant } from './writeInstant.js';

const COLLECTION = 'levelconfigs';

type FieldColumns = {
  name?: string;
  minPoints?: number;
  feeDiscountBps?: number;
  benefits?: string[];
};

/** The declared fields given; an undefined one is left as it is (upsertByKey drops undefined from $set). */
function fieldsOf(input: Partial<LevelConfigFields>): FieldColumns {
  const out: FieldColumns = {};
  if (input.name !== undefined) out.name = input.name;
  if (input.minPoints !== undefined) out.minPoints = input.minPoints;
  if (input.feeDiscountBps !== undefined) out.feeDiscountBps = input.feeDiscountBps;
  if (input.benefits !== undefined) out.benefits = input.benefits;
  return out;
}

const live = and(isNull(levelConfigs.sourceDeletedAt), isNull(levelConfigs.rejectedAt));

/**
 * Level configurations with Postgres authoritative, keyed by their unique `level`. An upsert is ONE
 * transaction: every writer of the same level runs alone (a scope lock on the level, which also covers a
 * level with no row yet), then the one document it changes or creates is noted and locked before its row.
 */
export class DrizzleLevelConfigRepo implements ILevelConfigRepo {
  constructor(private readonly ctx: PgContext) {}

  async upsert(level: number, fields: Partial<LevelConfigFields>): Promise<LevelConfig> {
    // users.level references it by value as an int4 foreign key: a fractional level could never be named.
    if (!Number.isSafeInteger(level))
      throw new DomainRuleError(COLLECTION, null, `level ${level} is not an integer`);
    const set = fieldsOf(fields);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await lockScope(tx.client, COLLECTION, 'level', String(level));
      const [existing] = await tx.db
        .select({ legacyId: levelConfigs.legacyObjectId })
        .from(levelConfigs)
        .where(and(eq(levelConfigs.level, level), live));
      if (existing) {
        await claimDocuments(tx.client, COLLECTION, [{ legacyId: existing.legacyId }]);
        const at = await writeInstant(tx.client);
        const updated = await tx.db
          .update(levelConfigs)
          .set({ ...set, updatedAt: at, sourceUpdatedAt: at, sourceReadAt: guardStamp() })
          .where(and(eq(levelConfigs.legacyObjectId, existing.legacyId), eq(levelConfigs.level, level), live))
          .returning({ id: levelConfigs.id });
        if (updated.length === 0)
          throw new Error(`${COLLECTION} level ${level}: its document changed under the locks`);
        return this.#read(tx, existing.legacyId);
      }
      const { legacyId, uuid } = await newIdentity(tx.client, COLLECTION);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const at = await writeInstant(tx.client);
      await tx.db.insert(levelConfigs).values({
        // A new document's array is empty, as Mongoose creates it.
        benefits: [],
        ...set,
        id: uuid,
        legacyObjectId: legacyId,
        level,
        createdAt: at,
        updatedAt: at,
        sourceUpdatedAt: at,
        sourceReadAt: guardStamp(),
      });
      return this.#read(tx, legacyId);
    });
  }

  async findByLevel(level: number): Promise<LevelConfig | null> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM level_configs
          WHERE level = $1 AND source_deleted_at IS NULL AND rejected_at IS NULL`,
        [level],
      );
      const legacyId = rows[0]?.legacy_object_id;
      return legacyId
        ? toLevelConfig(await readDomainObject<LevelConfig>(client, COLLECTION, legacyId))
        : null;
    });
  }

  async list(): Promise<LevelConfig[]> {
    return inReadSnapshot(this.ctx.pool, async (client) => {
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT legacy_object_id FROM level_configs
          WHERE source_deleted_at IS NULL AND rejected_at IS NULL
          ORDER BY level, legacy_object_id COLLATE "C"`,
      );
      const found = await readDomainObjects<LevelConfig>(
        client,
        COLLECTION,
        rows.map((r) => r.legacy_object_id),
      );
      return found.map((one) => toLevelConfig(one)!);
    });
  }

  /** The domain object of a document this transaction just wrote (it is live: the write succeeded). */
  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<LevelConfig> {
    const found = toLevelConfig(await readDomainObject<LevelConfig>(tx.client, COLLECTION, legacyId));
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}

/** An absent array reads as empty, as MongoLevelConfigRepo answers it. */
function toLevelConfig(config: LevelConfig | null): LevelConfig | null {
  if (config) config.benefits ??= [];
  return config;
}
