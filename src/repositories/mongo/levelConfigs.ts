import { DomainRuleError } from '../domain/common.js';
import type { ILevelConfigRepo, LevelConfig, LevelConfigFields } from '../domain/levelConfigs.js';
import type { MongoContext } from './context.js';
import { toDomain } from './toDomain.js';
import { upsertByKey } from './upsertByKey.js';

const COLLECTION = 'levelconfigs';

/** Level configurations through Mongoose, keyed by their unique `level`. */
export class MongoLevelConfigRepo implements ILevelConfigRepo {
  constructor(private readonly ctx: MongoContext) {}

  async upsert(level: number, fields: Partial<LevelConfigFields>): Promise<LevelConfig> {
    // users.level references it by value as an int4 foreign key: a fractional level could never be named.
    if (!Number.isSafeInteger(level))
      throw new DomainRuleError(COLLECTION, null, `level ${level} is not an integer`);
    const { level: _level, ...set } = fields as Partial<LevelConfig>;
    void _level;
    return toLevelConfig(await upsertByKey(this.ctx.models.LevelConfig, COLLECTION, { level }, set));
  }

  async findByLevel(level: number): Promise<LevelConfig | null> {
    const found = await this.ctx.models.LevelConfig.findOne({ level }).lean();
    return found ? toLevelConfig(found) : null;
  }

  async list(): Promise<LevelConfig[]> {
    const found = await this.ctx.models.LevelConfig.find({}).sort({ level: 1 }).lean();
    return found.map((one) => toLevelConfig(one));
  }
}

/** An absent array reads as empty, as on a hydrated document. */
function toLevelConfig(document: Record<string, unknown>): LevelConfig {
  const config = toDomain<LevelConfig>(document);
  config.benefits ??= [];
  return config;
}
