import { ObjectId } from 'bson';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Category, ICategoryRepo } from '../../../src/repositories/domain/categories.js';
import { DomainRuleError, NotFoundError } from '../../../src/repositories/domain/common.js';
import { MongoCategoryRepo } from '../../../src/repositories/mongo/categories.js';
import { DrizzleCategoryRepo } from '../../../src/repositories/pg/categories.js';
import { lockDocuments } from '../../../src/sync/locks.js';
import { usePgRepos, expectNotedRows as expectNoted, snapshotByLegacyId } from '../../support/pgRepos.js';
import { roundTrip } from '../../support/roundTrip.js';

const COLLECTION = 'categories';

/** A domain object without what each store allocates itself: ids (named instead) and times. */
function comparable(category: Category, names: Map<string, string>): Record<string, unknown> {
  const { id, createdAt, updatedAt, deletedAt, parentId, ...rest } = category;
  expect(createdAt).toBeInstanceOf(Date);
  expect(updatedAt!.getTime()).toBeGreaterThanOrEqual(createdAt!.getTime());
  expect(Object.keys(category.toJSON()).sort()).toEqual(Object.keys(category).sort());
  if (deletedAt !== undefined) expect(deletedAt).toBeInstanceOf(Date);
  return {
    ref: names.get(id) ?? `unknown ${id}`,
    ...rest,
    ...(parentId === undefined ? {} : { parent: parentId === null ? null : names.get(parentId) }),
    ...(deletedAt === undefined ? {} : { deleted: true }),
  };
}

describe('DrizzleCategoryRepo: Postgres authoritative, the same answers as MongoDB', () => {
  let pool: pg.Pool;
  let repo: DrizzleCategoryRepo;
  let mongoRepo: MongoCategoryRepo;
  usePgRepos(async ({ ctx, pool: opened }) => {
    pool = opened;
    mongoRepo = new MongoCategoryRepo(ctx);
    await ctx.models.Category.init();
    repo = new DrizzleCategoryRepo({ pool });
  });

  /** Every row (all columns) by legacy id, as comparable JSON. */
  const tableSnapshot = () =>
    snapshotByLegacyId(pool, `SELECT legacy_object_id, to_jsonb(t) AS row FROM categories t`);

  /** Runs one call and checks from the outside that every row it changed was noted, and nothing else. */
  const expectNotedRows = async <T>(call: () => Promise<T>): Promise<T> =>
    (await expectNoted(COLLECTION, tableSnapshot, call)).value;

  it('the same sequence of calls gives the same domain objects in MongoDB and in Postgres', async () => {
    const script = async (store: ICategoryRepo) => {
      const names = new Map<string, string>();
      const out: [string, unknown][] = [];
      const keep = (name: string, category: Category | null) => {
        if (!category) return out.push([name, null]);
        if (!names.has(category.id)) names.set(category.id, name);
        return out.push([name, comparable(category, names)]);
      };
      const attempt = async (name: string, call: () => Promise<unknown>) => {
        try {
          out.push([name, await call()]);
        } catch (error) {
          out.push([name, (error as Error).name]);
        }
      };
      const slug = (s: string) => `s-${s}`;
      const root = await store.create({ name: 'Root', slug: slug('root'), sortOrder: 2 });
      keep('root', root);
      keep('first', await store.create({ name: 'First', slug: slug('first'), parentId: root.id }));
      keep(
        'second',
        await store.create({
          name: 'Second',
          nameEn: 'Second',
          slug: slug('second'),
          parentId: root.id,
          sortOrder: 1,
          isActive: false,
        }),
      );
      const third = await store.create({
        name: 'Third',
        slug: slug('third'),
        parentId: root.id,
        sortOrder: 1,
      });
      keep('third', third);
      const gone = await store.create({ name: 'Gone', slug: slug('gone'), parentId: root.id, sortOrder: 0 });
      keep('gone', gone);
      await attempt('taken slug', () => store.create({ name: 'Dup', slug: slug('first') }));
      await attempt('unknown parent', () =>
        store.create({ name: 'x', slug: slug('x'), parentId: new ObjectId().toHexString() }),
      );
      await attempt('stray parent', () =>
        store.create({ name: 'y', slug: slug('y'), parentId: 'not-an-id' }),
      );
      keep(
        'third.update',
        await store.update(third.id, {
          name: 'Third!',
          slug: undefined,
          sortOrder: 3,
          ...({ parentId: null, deletedAt: new Date() } as object),
        }),
      );
      await attempt('update taken slug', () => store.update(third.id, { slug: slug('root') }));
      await attempt('gone.delete', () => store.delete(gone.id));
      await attempt('gone.delete again', () => store.delete(gone.id));
      keep('gone.update after delete', await store.update(gone.id, { nameEn: 'Gone' }));
      await attempt('child of deleted', () =>
        store.create({ name: 'z', slug: slug('z'), parentId: gone.id }),
      );
      keep('gone.findById', await store.findById(gone.id));
      await attempt('unknown.update', () => store.update(new ObjectId().toHexString(), { name: 'x' }));
      await attempt('unknown.delete', () => store.delete(new ObjectId().toHexString()));
      keep('unknown.findById', await store.findById(new ObjectId().toHexString()));
      for (const one of await store.listChildren(root.id)) keep(`listed ${names.get(one.id)}`, one);
      for (const one of await store.listChildren(root.id, { activeOnly: true }))
        keep(`active ${names.get(one.id)}`, one);
      const roots = await store.listChildren(null);
      out.push(['roots', roots.filter((r) => names.has(r.id)).map((r) => names.get(r.id))]);
      out.push(['leaf', await store.listChildren(third.id)]);
      return out;
    };
    const fromMongo = await script(mongoRepo);
    const fromPostgres = await script(repo);
    expect(fromPostgres).toStrictEqual(fromMongo);
    expect(fromPostgres.filter(([name]) => String(name).startsWith('listed ')).map(([name]) => name)).toEqual(
      [
        'listed first', // no sortOrder: first, as MongoDB sorts a missing value
        'listed second',
        'listed third',
      ],
    );
    expect(fromPostgres).toContainEqual(['taken slug', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['update taken slug', 'DomainRuleError']);
    expect(fromPostgres).toContainEqual(['unknown parent', 'NotFoundError']);
    expect(fromPostgres).toContainEqual(['child of deleted', 'NotFoundError']);
    expect(fromPostgres).toContainEqual(['gone.delete', true]);
    expect(fromPostgres).toContainEqual(['gone.delete again', false]);
    expect(fromPostgres).toContainEqual(['roots', ['root']]);
  });

  it('notes the document each write changes; stamps; round trips exactly, parent links included', async () => {
    const root = await expectNotedRows(() => repo.create({ name: 'R', slug: 'n-root' }));
    const child = await expectNotedRows(() => repo.create({ name: 'C', slug: 'n-child', parentId: root.id }));
    expect(child.parentId).toBe(root.id);
    const updated = await expectNotedRows(() => repo.update(child.id, { isActive: false }));
    const deleted = await expectNotedRows(() => repo.delete(root.id));
    expect(deleted).toBe(true);
    const { rows } = await pool.query(
      `SELECT created_at, updated_at, source_updated_at FROM categories WHERE legacy_object_id = $1`,
      [child.id],
    );
    expect(rows).toEqual([
      { created_at: child.createdAt, updated_at: updated.updatedAt, source_updated_at: updated.updatedAt },
    ]);
    const found = await repo.findById(root.id);
    expect(found?.deletedAt).toEqual(found?.updatedAt);
    const { problems } = await roundTrip(pool, COLLECTION);
    expect(problems).toEqual([]);
  });

  it('a create under a parent and the parent’s delete, concurrent: both succeed, nothing fails', async () => {
    const root = await repo.create({ name: 'P', slug: 'c-root' });
    const results = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) =>
        repo.create({ name: `k${i}`, slug: `c-k${i}`, parentId: root.id }),
      ),
      repo.delete(root.id),
    ]);
    // A child created after the delete committed finds no live parent: only that may fail.
    for (const result of results)
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(NotFoundError);
    expect((await repo.findById(root.id))?.deletedAt).toBeInstanceOf(Date);
    const slugs = await Promise.allSettled(
      Array.from({ length: 10 }, () => repo.create({ name: 'same', slug: 'c-same' })),
    );
    expect(slugs.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of slugs)
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(DomainRuleError);
  });

  it('waits for the forward sync’s document lock', async () => {
    const category = await repo.create({ name: 'L', slug: 'l' });
    const sync = await pool.connect();
    try {
      await sync.query('BEGIN');
      await lockDocuments(sync, COLLECTION, [new ObjectId(category.id)]);
      let done = false;
      const running = repo.update(category.id, { name: 'Later' }).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await sync.query('COMMIT');
      await running;
    } finally {
      sync.release();
    }
    expect((await repo.findById(category.id))?.name).toBe('Later');
  });
});
