import { Int32 } from 'bson';
import { isPlainObject, type Doc } from '../bson-types.js';
import { CommandError } from '../errors.js';
import { compileFilter } from '../matcher.js';
import { encode } from '../raw-bson.js';
import { cursorReply } from '../reply.js';
import { hasOwn } from '../own.js';
import { collectionArg, numberArg, type CommandHandler } from './context.js';
import { COMMAND_RULES } from './options.js';

/** Collection and database lifecycle: listCollections, create, drop, dropDatabase, collStats, dbStats. */
export const listCollections: CommandHandler = (cmd, ctx) => {
  const nameOnly = cmd.nameOnly === true;
  const matcher = compileFilter(isPlainObject(cmd.filter) ? cmd.filter : {});
  const entries: Doc[] = ctx.store.collections(ctx.db).map((c) => ({
    name: c.name,
    type: 'collection',
    options: c.options,
    info: { readOnly: false, uuid: c.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  const docs = entries
    .filter((e) => matcher(e))
    .map((e) => encode(nameOnly ? { name: e.name, type: e.type } : e));
  const ns = `${ctx.db}.$cmd.listCollections`;
  const batchSize = isPlainObject(cmd.cursor) ? numberArg(cmd.cursor, 'batchSize') : undefined;
  const first = ctx.cursors.open(ns, docs, batchSize, false);
  return cursorReply('firstBatch', first.id, ns, first.docs);
};

export const create: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'create');
  // What listCollections reports back: the collection's own options (checked in options.ts), not the
  // session, concerns or comment that came with the command.
  const rules = COMMAND_RULES.create ?? {};
  const options = Object.fromEntries(
    Object.entries(cmd).filter(([k, v]) => k !== 'create' && hasOwn(rules, k) && v !== undefined),
  );
  ctx.store.create(ctx.db, name, options);
  return { ok: 1 };
};

export const drop: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'drop');
  const coll = ctx.store.drop(ctx.db, name);
  // MongoDB 7.0 answers ok for a collection that does not exist.
  return { ns: `${ctx.db}.${name}`, nIndexesWas: new Int32(coll ? coll.indexSpecs().length : 0), ok: 1 };
};

export const dropDatabase: CommandHandler = (_cmd, ctx) => {
  ctx.store.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

export const collStats: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'collStats');
  const coll = ctx.store.get(ctx.db, name);
  if (!coll) throw new CommandError('NamespaceNotFound', `Collection [${ctx.db}.${name}] not found.`);
  const scale = numberArg(cmd, 'scale') ?? 1;
  if (!(scale >= 1)) throw new CommandError('BadValue', 'scale has to be >= 1');
  let bytes = 0;
  for (const rec of coll.ids.records()) bytes += rec.bytes.length;
  const size = Math.trunc(bytes / scale);
  return {
    ns: coll.ns,
    count: coll.count,
    size,
    avgObjSize: coll.count ? Math.round(bytes / coll.count) : 0,
    storageSize: size,
    nindexes: coll.indexSpecs().length,
    totalIndexSize: 0,
    indexSizes: Object.fromEntries(coll.indexSpecs().map((s) => [s.name, 0])),
    ok: 1,
  };
};

export const dbStats: CommandHandler = (_cmd, ctx) => {
  const colls = ctx.store.collections(ctx.db);
  return {
    db: ctx.db,
    collections: colls.length,
    objects: colls.reduce((n, c) => n + c.count, 0),
    indexes: colls.reduce((n, c) => n + c.indexSpecs().length, 0),
    dataSize: 0,
    storageSize: 0,
    ok: 1,
  };
};
