import { categories } from '../../db/schema/index.js';
import type { CollectionSpec } from '../spec.js';
import { mapCategory } from './map.js';
import { unmapCategory } from './unmap.js';

/** categories: a self-referencing tree (plan §4.3), so `parentId` is resolved by the link pass. */
export const categoriesSpec: CollectionSpec = {
  collection: 'categories',
  phase: 2,
  table: categories,
  references: [{ path: 'parentId', parent: 'categories', deferred: true, column: 'parent_id' }],
  map: mapCategory,
  unmap: unmapCategory,
};
