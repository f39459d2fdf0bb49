import { Long } from 'bson';
import { bsontype, type Doc } from '../bson-types.js';
import type { Collection } from '../collection.js';
import { badValue } from '../errors.js';
import { toDouble } from '../numeric.js';
import { resolveHint } from '../hint.js';
import { compileProjection } from '../projection.js';
import { docOf, findRecords, type Hit } from '../query.js';
import { encode, findIdElement } from '../raw-bson.js';
import { cursorReply } from '../reply.js';
import { boolArg, collectionArg, numberArg, type CommandHandler } from './context.js';

/** find / getMore / killCursors. */

/** Projection {_id: 1}: cut the _id element out of the stored bytes, nothing decoded. */
function idOnly(bytes: Buffer): Buffer {
  const el = findIdElement(bytes);
  if (!el) return Buffer.from([5, 0, 0, 0, 0]);
  const out = Buffer.allocUnsafe(4 + (el.end - el.start) + 1);
  out.writeInt32LE(out.length, 0);
  bytes.copy(out, 4, el.start, el.end);
  out[out.length - 1] = 0;
  return out;
}

function isIdOnlyProjection(p: unknown): boolean {
  if (typeof p !== 'object' || p === null) return false;
  const keys = Object.keys(p);
  const v = (p as Doc)._id;
  return (
    keys.length === 1 && keys[0] === '_id' && (v === true || (typeof v === 'object' && toDouble(v) === 1))
  );
}

/** The projected documents; `filter` is what a positional (`a.$`) projection refers to. */
export function outputBytes(hits: Hit[], projection: unknown, filter?: unknown): Buffer[] {
  if (projection === undefined || projection === null) return hits.map((h) => h.bytes);
  if (isIdOnlyProjection(projection)) return hits.map((h) => idOnly(h.bytes));
  const project = compileProjection(projection, { mode: 'find', filter });
  return hits.map((h) => (project ? encode(project(docOf(h))) : h.bytes));
}

export function runFind(coll: Collection | undefined, cmd: Doc): { docs: Buffer[]; limit: number } {
  const rawLimit = numberArg(cmd, 'limit') ?? 0;
  const skip = numberArg(cmd, 'skip') ?? 0;
  if (skip < 0) throw badValue('skip value must be non-negative');
  const limit = Math.abs(rawLimit);
  // Checked before the query runs, so a bad projection is refused even when nothing matches.
  compileProjection(cmd.projection, { mode: 'find', filter: cmd.filter });
  const hint = resolveHint(coll, cmd.hint);
  const hits = findRecords(coll, { filter: cmd.filter, sort: cmd.sort, skip, limit, hint });
  return { docs: outputBytes(hits, cmd.projection, cmd.filter), limit: rawLimit };
}

export const find: CommandHandler = (cmd, ctx) => {
  const name = collectionArg(cmd, 'find');
  const coll = ctx.store.get(ctx.db, name);
  const { docs, limit } = runFind(coll, cmd);
  const batchSize = numberArg(cmd, 'batchSize');
  if (batchSize !== undefined && batchSize < 0) throw badValue('BatchSize value must be non-negative');
  // A negative limit is the legacy "single batch" request.
  const single = boolArg(cmd, 'singleBatch', false) || limit < 0;
  const ns = `${ctx.db}.${name}`;
  const first = ctx.cursors.open(ns, docs, batchSize, single, boolArg(cmd, 'noCursorTimeout', false));
  return cursorReply('firstBatch', first.id, ns, first.docs);
};

function cursorIdArg(v: unknown): Long {
  if (bsontype(v) === 'Long') return v as Long;
  if (typeof v === 'number' || bsontype(v) === 'Int32' || bsontype(v) === 'Double')
    return Long.fromNumber(toDouble(v));
  throw badValue('cursor id must be a long');
}

export const getMore: CommandHandler = (cmd, ctx) => {
  const id = cursorIdArg(cmd.getMore);
  const name = collectionArg(cmd, 'collection');
  const ns = `${ctx.db}.${name}`;
  const batch = ctx.cursors.getMore(id, ns, numberArg(cmd, 'batchSize'));
  return cursorReply('nextBatch', batch.id, ns, batch.docs);
};

export const killCursors: CommandHandler = (cmd, ctx) => {
  collectionArg(cmd, 'killCursors');
  const ids = Array.isArray(cmd.cursors) ? cmd.cursors.map(cursorIdArg) : [];
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const id of ids) (ctx.cursors.kill(id) ? killed : notFound).push(id);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};
