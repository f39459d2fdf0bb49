import { Int32 } from 'bson';
import { isPlainObject, type Doc } from '../bson-types.js';
import { valueKey } from '../compare.js';
import { badValue, CommandError } from '../errors.js';
import { encode } from '../raw-bson.js';
import { cursorReply } from '../reply.js';
import { defaultIndexName, validateIndexKey, type IndexSpec } from '../secondary-index.js';
import { collectionArg, numberArg, type CommandHandler } from './context.js';
import { checkFields, INDEX_SPEC } from './options.js';

/** createIndexes / listIndexes / dropIndexes. Mongoose calls createIndexes for every schema index on start. */
export const createIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'createIndexes');
  if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0)
    throw badValue('Must specify at least one index to create');
  for (const raw of cmd.indexes) {
    if (!isPlainObject(raw) || !isPlainObject(raw.key))
      throw badValue('index specification must have a key object');
    checkFields(raw, 'createIndexes.indexes', INDEX_SPEC, false);
    validateIndexKey(raw.key);
  }
  const existed = ctx.store.get(ctx.db, name) !== undefined;
  const coll = ctx.store.getOrCreate(ctx.db, name);
  const before = coll.indexSpecs().length;
  for (const raw of cmd.indexes as Doc[]) {
    const { key, name: indexName, ...options } = raw;
    const spec: IndexSpec = {
      v: 2,
      key: key as Doc,
      name: typeof indexName === 'string' ? indexName : defaultIndexName(key as Doc),
      ...options,
    };
    delete spec.ns;
    coll.createIndex(spec);
  }
  const after = coll.indexSpecs().length;
  return {
    numIndexesBefore: new Int32(before),
    numIndexesAfter: new Int32(after),
    createdCollectionAutomatically: !existed,
    ...(before === after ? { note: 'all indexes already exist' } : {}),
    ok: 1,
  };
};

export const listIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'listIndexes');
  const coll = ctx.store.get(ctx.db, name);
  const ns = `${ctx.db}.${name}`;
  if (!coll) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ns}`);
  const docs = coll.indexSpecs().map((s) => encode(s));
  const batchSize = isPlainObject(cmd.cursor) ? numberArg(cmd.cursor, 'batchSize') : undefined;
  const first = ctx.cursors.open(ns, docs, batchSize, false);
  return cursorReply('firstBatch', first.id, ns, first.docs);
};

export const dropIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, Object.keys(cmd)[0] ?? 'dropIndexes');
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) throw new CommandError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = new Int32(coll.indexSpecs().length);
  const target = cmd.index;
  if (target === '*') coll.dropAllIndexes();
  else if (typeof target === 'string') {
    if (target === '_id_') throw badValue('cannot drop _id index');
    coll.dropIndex(target);
  } else if (Array.isArray(target)) {
    for (const t of target) coll.dropIndex(String(t));
  } else if (isPlainObject(target)) {
    const match = coll.indexes.find((i) => valueKey(i.spec.key) === valueKey(target));
    if (!match)
      throw new CommandError('IndexNotFound', `can't find index with key: ${JSON.stringify(target)}`);
    coll.dropIndex(match.name);
  } else throw badValue('invalid index name spec');
  return { nIndexesWas, ok: 1 };
};
