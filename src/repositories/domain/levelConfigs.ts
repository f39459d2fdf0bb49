import type { DomainObject } from './common.js';

/** One level of the loyalty ladder; users reference it by `level`, not by id. */
export interface LevelConfig extends DomainObject {
  /** Unique, an integer. */
  level: number;
  name?: string;
  minPoints?: number;
  /** The marketplace fee discount, in basis points. */
  feeDiscountBps?: number;
  benefits: string[];
}

export type LevelConfigFields = Pick<LevelConfig, 'name' | 'minPoints' | 'feeDiscountBps' | 'benefits'>;

/** The level ladder: one configuration per level number. */
export interface ILevelConfigRepo {
  /** Creates the level, or changes the fields given of the existing one. */
  upsert(level: number, fields: Partial<LevelConfigFields>): Promise<LevelConfig>;
  findByLevel(level: number): Promise<LevelConfig | null>;
  /** Every level, lowest first. */
  list(): Promise<LevelConfig[]>;
}
