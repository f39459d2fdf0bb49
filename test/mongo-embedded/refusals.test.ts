import type { Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError, useMongo } from './harness.js';

/**
 * What the server does not implement it refuses, naming it; it never answers as if the option were
 * absent. Assertions hold for a real MongoDB too: either the feature is honoured (a real server) or the
 * command fails with a message naming it (the embedded one). Parse errors come before matching, so they
 * are asserted on operations that match nothing.
 */
/** Any _id (numbers, strings, ObjectIds) and any fields: these tests are about names, not schemas. */
interface Loose {
  _id: number | string;
  [key: string]: unknown;
}

describe('refusals and parse-time errors', () => {
  const h = useMongo();
  const db = () => h().db;

  /** Runs `fn`; returns the error it threw, or undefined when it succeeded. */
  async function attempt<T>(fn: () => Promise<T>): Promise<{ error?: Error; value?: T }> {
    try {
      return { value: await fn() };
    } catch (error) {
      return { error: error as Error };
    }
  }

  /** A collection that exists and holds a document no test filter matches. */
  async function existing(name: string) {
    const c = db().collection<Loose>(name);
    await c.insertOne({ _id: 'other', untouched: true });
    return c;
  }

  it('an unknown update operator is refused even when nothing matches', async () => {
    const c = await existing('parse_upd');
    const err = await serverError(() => c.updateOne({ _id: 'none' }, { $foo: { a: 1 } } as Document));
    expect(err.message).toContain('$foo');
    const many = await serverError(() =>
      c.updateMany({ x: 1 }, { $set: { a: 1 }, $bar: { b: 1 } } as Document),
    );
    expect(many.message).toContain('$bar');
  });

  it('$set and $inc on the same path are a conflict even when nothing matches', async () => {
    const c = await existing('parse_conflict');
    const err = await serverError(() =>
      c.updateOne({ _id: 'none' }, { $set: { a: 1 }, $inc: { a: 1 } } as Document),
    );
    expect(err.code).toBe(40);
    expect(err.message).toContain("'a'");
    const prefix = await serverError(() => c.updateOne({ _id: 'none' }, { $set: { 'a.b': 1, a: {} } }));
    expect(prefix.code).toBe(40);
  });

  it('bad operator arguments are refused before matching', async () => {
    const c = await existing('parse_args');
    const inc = await serverError(() => c.updateOne({ _id: 'none' }, { $inc: { a: 'x' } } as Document));
    expect(inc.message).toMatch(/non-numeric/);
    const pull = await serverError(() =>
      c.updateOne({ _id: 'none' }, { $pull: { arr: { $foo: 1 } } } as Document),
    );
    expect(pull.message).toContain('$foo');
    expect((await serverError(() => c.deleteMany({ a: { $foo: 1 } }))).message).toContain('$foo');
    expect(await c.findOne({}, { projection: { _id: 0 } })).toEqual({ untouched: true });
  });

  it('unknown query operators, stages and expressions are refused on a collection that does not exist', async () => {
    const c = db().collection('never_created');
    expect((await serverError(() => c.find({ a: { $foo: 1 } }).toArray())).message).toContain('$foo');
    expect((await serverError(() => c.countDocuments({ a: { $foo: 1 } }))).message).toContain('$foo');
    expect((await serverError(() => c.aggregate([{ $fooStage: {} }]).toArray())).message).toContain(
      '$fooStage',
    );
    const expr = await serverError(() => c.aggregate([{ $project: { a: { $fooExpr: 1 } } }]).toArray());
    expect(expr.message).toContain('$fooExpr');
    expect(await db().listCollections({ name: 'never_created' }).toArray()).toEqual([]);
  });

  it('an unknown command field is refused with a message naming it', async () => {
    await db().collection('fields').insertOne({ a: 1 });
    const err = await serverError(() => db().command({ find: 'fields', filter: {}, fooOption: 1 }));
    expect(err.message).toContain('fooOption');
    const stmt = await serverError(() =>
      db().command({ update: 'fields', updates: [{ q: {}, u: { $set: { a: 2 } }, fooOption: true }] }),
    );
    expect(stmt.message).toContain('fooOption');
    expect(
      await db()
        .collection('fields')
        .findOne({}, { projection: { _id: 0 } }),
    ).toEqual({ a: 1 });
  });

  it('capped without size is refused', async () => {
    const err = await serverError(() => db().createCollection('capped_no_size', { capped: true }));
    expect(err.message).toContain('size');
  });

  it('a collation is honoured or refused, never ignored', async () => {
    const c = db().collection('collated');
    await c.insertMany([{ name: 'Zeta' }, { name: 'alpha' }]);
    const sorted = await attempt(() =>
      c
        .find({}, { projection: { _id: 0 } })
        .sort({ name: 1 })
        .collation({ locale: 'en', strength: 1 })
        .toArray(),
    );
    if (sorted.error) expect(sorted.error.message).toContain('collation');
    else expect(sorted.value).toEqual([{ name: 'alpha' }, { name: 'Zeta' }]);
    const counted = await attempt(() =>
      c.countDocuments({ name: 'ZETA' }, { collation: { locale: 'en', strength: 2 } }),
    );
    if (counted.error) expect(counted.error.message).toContain('collation');
    else expect(counted.value).toBe(1);
    const index = await attempt(() => c.createIndex({ name: 1 }, { collation: { locale: 'fr' } }));
    if (index.error) expect(index.error.message).toContain('collation');
    // The simple collation is binary comparison: what the embedded server does anyway.
    const simple = await c
      .find({}, { projection: { _id: 0 } })
      .sort({ name: 1 })
      .collation({ locale: 'simple' })
      .toArray();
    expect(simple).toEqual([{ name: 'Zeta' }, { name: 'alpha' }]);
  });

  it('a $jsonSchema validator is enforced or refused, never ignored', async () => {
    const created = await attempt(() =>
      db().createCollection('validated', { validator: { $jsonSchema: { required: ['a'] } } }),
    );
    if (created.error) {
      expect(created.error.message).toContain('validator');
      return;
    }
    const err = await serverError(() => db().collection('validated').insertOne({ b: 1 }));
    expect(err.code).toBe(121); // DocumentValidationFailure
  });

  it('a time series collection is created as one or refused', async () => {
    const created = await attempt(() => db().createCollection('series', { timeseries: { timeField: 't' } }));
    if (created.error) expect(created.error.message).toContain('timeseries');
    else {
      const [info] = await db().listCollections({ name: 'series' }).toArray();
      expect(info?.type).toBe('timeseries');
    }
  });

  it('a text index is usable by $text or refused', async () => {
    const c = db().collection('texts');
    await c.insertOne({ body: 'hello world' });
    const found = await attempt(async () => {
      await c.createIndex({ body: 'text' });
      return c.countDocuments({ $text: { $search: 'hello' } });
    });
    if (found.error) expect(found.error.message).toMatch(/text/);
    else expect(found.value).toBe(1);
  });

  it('let variables and arrayFilters are honoured or refused', async () => {
    const c = db().collection<Loose>('vars');
    await c.insertOne({ _id: 1, a: 1, arr: [{ k: 1 }, { k: 2 }] });
    const withLet = await attempt(() =>
      c.find({ $expr: { $eq: ['$a', '$$v'] } }, { let: { v: 1 }, projection: { _id: 1 } }).toArray(),
    );
    if (withLet.error) expect(withLet.error.message).toContain('let');
    else expect(withLet.value).toEqual([{ _id: 1 }]);
    const filtered = await attempt(() =>
      c.updateOne({ _id: 1 }, { $set: { 'arr.$[e].k': 0 } }, { arrayFilters: [{ 'e.k': 2 }] }),
    );
    if (filtered.error) expect(filtered.error.message).toContain('arrayFilters');
    else expect((await c.findOne({ _id: 1 }))?.arr).toEqual([{ k: 1 }, { k: 0 }]);
  });

  it('honours hint: index order without a sort, and an unknown index is an error', async () => {
    const c = db().collection('hinted');
    await c.createIndex({ qty: -1, name: -1 });
    await c.insertMany([
      { name: 'Andrew', qty: 4 },
      { name: 'Betty', qty: 5 },
      { name: 'Charlie', qty: 4 },
    ]);
    const expected = ['Betty', 'Charlie', 'Andrew'];
    const viaFind = await c.find({}).hint({ qty: -1, name: -1 }).toArray();
    expect(viaFind.map((d) => d.name)).toEqual(expected);
    const viaAggregate = await c.aggregate([{ $match: {} }], { hint: 'qty_-1_name_-1' }).toArray();
    expect(viaAggregate.map((d) => d.name)).toEqual(expected);
    const natural = await c.find({}).hint({ $natural: -1 }).toArray();
    expect(natural.map((d) => d.name)).toEqual(['Charlie', 'Betty', 'Andrew']);
    const naturalSort = await c.find({}).sort({ $natural: -1 }).toArray();
    expect(naturalSort.map((d) => d.name)).toEqual(['Charlie', 'Betty', 'Andrew']);
    const err = await serverError(() => c.find({}).hint({ nope: 1 }).toArray());
    expect(err.message).toContain('hint');
    expect(await c.countDocuments({}, { hint: { qty: -1, name: -1 } })).toBe(3);
  });

  it('a sparse index hint returns only the documents the index holds', async () => {
    const c = db().collection<Loose>('sparse_hint');
    await c.createIndex({ tag: 1 }, { sparse: true });
    await c.insertMany([{ _id: 1, tag: 'b' }, { _id: 2 }, { _id: 3, tag: 'a' }]);
    const docs = await c.find({}).hint({ tag: 1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual([3, 1]);
  });
});
