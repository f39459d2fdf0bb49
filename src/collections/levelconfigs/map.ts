import type { levelConfigs } from '../../db/schema/index.js';
import {
  MapBuilder,
  optionalInt,
  optionalString,
  requiredInt,
  type MainRow,
  type Shape,
} from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const LEVEL_CONFIG_SHAPE: Shape = {
  level: true,
  name: true,
  minPoints: true,
  feeDiscountBps: true,
  benefits: true,
};

/**
 * A levelconfigs document → level_configs row. `level` is the key users reference by value, so a
 * document without one cannot be a target of anything: missing_field.
 */
export function mapLevelConfig(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  const row: MainRow<typeof levelConfigs> = {
    ...b.commonColumns(doc, LEVEL_CONFIG_SHAPE),
    level: b.read(requiredInt(doc.level, 'level')),
    name: b.read(optionalString(doc.name, 'name')),
    minPoints: b.read(optionalInt(doc.minPoints, 'minPoints')),
    feeDiscountBps: b.read(optionalInt(doc.feeDiscountBps, 'feeDiscountBps')),
    // Not a junction of ids: repeated benefits are kept as found; null elements are skipped + recorded.
    benefits: b.stringArray(doc.benefits, 'benefits'),
  };
  return b.finish(row);
}
