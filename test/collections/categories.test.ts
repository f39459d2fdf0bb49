import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { categoriesSpec } from '../../src/collections/categories/spec.js';
import { isReject, type LegacyDoc, type MappedDocument } from '../../src/collections/spec.js';
import { FakeContext, oid, T0, T1 } from './fakeContext.js';

const map = (doc: LegacyDoc) => categoriesSpec.map(doc, new FakeContext());
const mapped = (doc: LegacyDoc): MappedDocument => {
  const result = map(doc);
  if (isReject(result)) throw new Error(`unexpected reject: ${result.message}`);
  return result;
};

const parent = oid(10);
const clean = (): LegacyDoc => ({
  _id: oid(11),
  name: 'Eletrônicos',
  nameEn: 'Electronics',
  slug: 'eletronicos',
  parentId: parent,
  isActive: true,
  sortOrder: 4,
  createdAt: T0,
  updatedAt: T1,
});

describe('categories mapper', () => {
  it('maps a clean document; parentId becomes a link, not a column', () => {
    expect(mapped(clean())).toEqual({
      row: {
        legacyExtra: null,
        createdAt: T0,
        updatedAt: T1,
        name: 'Eletrônicos',
        nameEn: 'Electronics',
        slug: 'eletronicos',
        isActive: true,
        sortOrder: 4,
        deletedAt: null,
      },
      links: [{ column: 'parent_id', parent: 'categories', parentLegacyId: parent.toHexString() }],
    });
    expect(categoriesSpec.references).toEqual([
      { path: 'parentId', parent: 'categories', deferred: true, column: 'parent_id' },
    ]);
  });

  it('a root category has no link; isActive absent → default true; soft delete kept', () => {
    const { parentId: _, isActive: _a, ...root } = clean();
    const result = mapped({ ...root, deletedAt: T1 } as LegacyDoc);
    expect(result.links).toBeUndefined();
    expect(result.row).toMatchObject({ isActive: true, deletedAt: T1 });
    expect(mapped({ ...clean(), parentId: null }).links).toBeUndefined();
  });

  it('parentId as a 24-hex string is the ObjectId it spells', () => {
    expect(mapped({ ...clean(), parentId: parent.toHexString() }).links).toEqual([
      { column: 'parent_id', parent: 'categories', parentLegacyId: parent.toHexString() },
    ]);
  });

  it('an orphan parent still links (the link pass records dangling_reference)', () => {
    const gone = new ObjectId();
    expect(mapped({ ...clean(), parentId: gone }).links?.[0]?.parentLegacyId).toBe(gone.toHexString());
  });

  it('a non-id parentId (name, template string, number) is a data error: invalid_reference', () => {
    for (const parentId of ['Electronics', 'tmpl_root', 7, { $oid: 'x' }]) {
      expect(map({ ...clean(), parentId })).toMatchObject({ reject: 'invalid_reference', field: 'parentId' });
    }
  });

  it('name is required', () => {
    expect(map({ ...clean(), name: null })).toMatchObject({ reject: 'missing_field', field: 'name' });
    const { name: _, ...nameless } = clean();
    expect(map(nameless as LegacyDoc)).toMatchObject({ reject: 'missing_field', field: 'name' });
  });

  it('wrong types reject; unknown fields and unicode are kept', () => {
    expect(map({ ...clean(), sortOrder: '4' })).toMatchObject({ reject: 'invalid_type', field: 'sortOrder' });
    expect(map({ ...clean(), isActive: 1 })).toMatchObject({ reject: 'invalid_type', field: 'isActive' });
    const row = mapped({ ...clean(), name: '📱 هواتف', icon: 'phone' }).row;
    expect(row).toMatchObject({ name: '📱 هواتف', legacyExtra: { icon: 'phone' } });
  });
});
