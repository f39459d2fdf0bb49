import { levelConfigs } from '../../db/schema/index.js';
import type { CollectionSpec } from '../spec.js';
import { mapLevelConfig } from './map.js';
import { unmapLevelConfig } from './unmap.js';

/** levelconfigs: no references; users point at it by `level` value. */
export const levelConfigsSpec: CollectionSpec = {
  collection: 'levelconfigs',
  phase: 2,
  table: levelConfigs,
  references: [],
  map: mapLevelConfig,
  unmap: unmapLevelConfig,
};
