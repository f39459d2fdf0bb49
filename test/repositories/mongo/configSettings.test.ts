import { describe, expect, it } from 'vitest';
import { MongoConfigSettingRepo } from '../../../src/repositories/mongo/configSettings.js';
import { hexId, useMongoRepos } from '../../support/mongoRepos.js';
import { expectNotedWrites } from '../../support/notedWrites.js';

describe('MongoConfigSettingRepo: settings and their history, both noted for the seam', () => {
  let repo: MongoConfigSettingRepo;
  const mongo = useMongoRepos(async ({ ctx }) => {
    await ctx.models.ConfigSetting.init(); // the unique key index that makes a first set race-safe
    repo = new MongoConfigSettingRepo(ctx);
  });
  const admin = hexId();

  it('set creates the setting and a history row, then changes it and records the value it replaced', async () => {
    const { value: created, changed } = await expectNotedWrites(mongo.db, () =>
      repo.set('fees.platformBps', 150, admin),
    );
    expect(changed.map((c) => c.collection).sort()).toEqual(['configsettinghistories', 'configsettings']);
    expect(created).toMatchObject({ key: 'fees.platformBps', value: 150, updatedBy: admin });
    expect(created.id).toMatch(/^[0-9a-f]{24}$/);

    const { value: updated } = await expectNotedWrites(mongo.db, () =>
      repo.set('fees.platformBps', { bps: 175 }),
    );
    expect(updated).toMatchObject({ id: created.id, key: 'fees.platformBps', value: { bps: 175 } });
    expect(updated.updatedBy).toBeUndefined();
    // The object returned is the document stored.
    expect(JSON.parse(JSON.stringify(await repo.get('fees.platformBps')))).toEqual(
      JSON.parse(JSON.stringify(updated)),
    );

    const history = await repo.history('fees.platformBps');
    expect(history.map((h) => [h.oldValue, h.newValue, h.changedBy])).toEqual([
      [150, { bps: 175 }, undefined],
      [undefined, 150, admin],
    ]);
    expect(history.every((h) => h.settingId === created.id && h.changedAt instanceof Date)).toBe(true);
    expect(history[0]).not.toHaveProperty('updatedAt');
  });

  it('keeps empty objects, nulls and nested JSON as given', async () => {
    expect((await expectNotedWrites(mongo.db, () => repo.set('empty', {}))).value.value).toEqual({});
    expect((await repo.get('empty'))?.value).toEqual({});
    await expectNotedWrites(mongo.db, () => repo.set('empty', null));
    expect((await repo.get('empty'))?.value).toBeNull();
    await expectNotedWrites(mongo.db, () => repo.set('nested', { a: [1, 'two', { three: true }] }));
    expect((await repo.get('nested'))?.value).toEqual({ a: [1, 'two', { three: true }] });
  });

  it('a pre-2024 setting keyed by its string _id is changed in place and its history names that _id', async () => {
    await mongo.db
      .collection<{ _id: string; key: string; value: unknown }>('configsettings')
      .insertOne({ _id: 'site.name', key: 'site.name', value: 'Old' });
    const { value, log } = await expectNotedWrites(mongo.db, () => repo.set('site.name', 'New', admin));
    expect(value).toMatchObject({ id: 'site.name', value: 'New' });
    expect(log.documentsOf('configsettings').map((d) => d.id)).toEqual(['site.name']);
    expect((await repo.history('site.name'))[0]).toMatchObject({ settingId: 'site.name', oldValue: 'Old' });
  });

  it('concurrent sets of one key leave one setting and a history that chains every change', async () => {
    await expectNotedWrites(mongo.db, () =>
      Promise.all(Array.from({ length: 10 }, (_, i) => repo.set('race', i))),
    );
    expect(await mongo.db.collection('configsettings').countDocuments({ key: 'race' })).toBe(1);
    const history = await repo.history('race');
    expect(history).toHaveLength(10);
    // Each change replaced exactly the value the one before it wrote: one chain from the creation to the
    // stored value, through every change.
    const next = new Map(
      history.filter((h) => h.oldValue !== undefined).map((h) => [h.oldValue, h.newValue]),
    );
    let at = history.find((h) => h.oldValue === undefined)?.newValue;
    const seen = [at];
    while (next.has(at)) seen.push((at = next.get(at)));
    expect(seen).toHaveLength(10);
    expect((await repo.get('race'))?.value).toBe(at);
  });

  it('lists settings by key', async () => {
    expect((await repo.list()).map((s) => s.key)).toEqual([
      'empty',
      'fees.platformBps',
      'nested',
      'race',
      'site.name',
    ]);
  });
});
