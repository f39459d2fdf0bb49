import type { categories } from '../../db/schema/index.js';
import {
  boolWithDefault,
  MapBuilder,
  optionalDate,
  optionalInt,
  optionalString,
  requiredString,
  type MainRow,
  type Shape,
} from '../mapping/index.js';
import type { LegacyDoc, MapContext, MapResult } from '../spec.js';

const CATEGORY_SHAPE: Shape = {
  name: true,
  nameEn: true,
  slug: true,
  parentId: true,
  isActive: true,
  sortOrder: true,
  deletedAt: true,
};

/**
 * A categories document → categories row. `parentId` is Mixed in the model; an ObjectId (or its 24-hex
 * spelling) becomes a link for the link pass, any other string is a data error (plan §4.3) and rejects.
 * Soft-deleted categories are migrated with their `deleted_at`.
 */
export function mapCategory(doc: LegacyDoc, ctx: MapContext): MapResult {
  const b = new MapBuilder(ctx);
  b.deferredRef(doc.parentId, { field: 'parentId', parent: 'categories', column: 'parent_id' });
  const row: MainRow<typeof categories, 'parentId'> = {
    ...b.commonColumns(doc, CATEGORY_SHAPE),
    name: b.read(requiredString(doc.name, 'name')),
    nameEn: b.read(optionalString(doc.nameEn, 'nameEn')),
    slug: b.read(optionalString(doc.slug, 'slug')),
    isActive: b.read(boolWithDefault(doc.isActive, 'isActive', true)),
    sortOrder: b.read(optionalInt(doc.sortOrder, 'sortOrder')),
    deletedAt: b.read(optionalDate(doc.deletedAt, 'deletedAt')),
  };
  return b.finish(row);
}
