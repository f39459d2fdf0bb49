import { ObjectId } from 'bson';
import { isPlainObject, type Doc } from './bson-types.js';
import type { Collection } from './collection.js';
import { badValue, CommandError, notSupported } from './errors.js';
import { compileFilter, isOperatorObject, type MatchContext } from './matcher.js';
import { splitPath } from './path.js';
import { docOf, findRecords } from './query.js';
import { recordId } from './record.js';
import { applyOperatorUpdate, applyReplacement, isOperatorUpdate } from './update.js';
import { setAt } from './update-path.js';

/**
 * Update, upsert and delete over a collection, shared by the update/delete commands and findAndModify.
 * Matching documents are collected first, then changed, so a multi-update never sees its own writes.
 */
export interface UpdateSpec {
  q: unknown;
  u: unknown;
  upsert?: boolean;
  multi?: boolean;
  sort?: unknown;
  arrayFilters?: unknown;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  /** For findAndModify (single-document updates): the document before and after. */
  before?: Doc;
  after?: Doc;
}

function validateUpdate(u: unknown, multi: boolean): Doc {
  if (Array.isArray(u)) throw notSupported('pipeline-style updates');
  if (!isPlainObject(u))
    throw new CommandError('FailedToParse', 'Update argument must be either an object or an array');
  if (multi && !isOperatorUpdate(u)) {
    throw new CommandError('InvalidOptions', 'multi update is not supported for replacement-style update');
  }
  return u;
}

/** The document an upsert starts from: the query's equality conditions ({a: 1}, {a: {$eq: 1}}, $and of those). */
function seedFromQuery(q: unknown): Doc {
  const out: Doc = {};
  const visit = (f: unknown): void => {
    if (!isPlainObject(f)) return;
    for (const [key, cond] of Object.entries(f)) {
      if (key === '$and' && Array.isArray(cond)) cond.forEach(visit);
      if (key.startsWith('$')) continue;
      if (isOperatorObject(cond)) {
        if ('$eq' in cond) setAt(out, splitPath(key), cond.$eq);
      } else setAt(out, splitPath(key), cond);
    }
  };
  visit(q);
  return out;
}

export function upsertDocument(coll: Collection, q: unknown, update: Doc): { id: unknown; doc: Doc } {
  let doc: Doc;
  if (isOperatorUpdate(update)) doc = applyOperatorUpdate(seedFromQuery(q), update, { isInsert: true });
  else {
    const seed = seedFromQuery(q);
    doc = applyReplacement(seed._id === undefined ? {} : { _id: seed._id }, update);
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  else if (Object.keys(doc)[0] !== '_id') {
    const { _id, ...rest } = doc;
    doc = { _id, ...rest };
  }
  const rec = coll.insertDoc(doc);
  return { id: recordId(rec), doc };
}

export function updateDocuments(coll: Collection, spec: UpdateSpec): UpdateOutcome {
  const multi = spec.multi === true;
  const update = validateUpdate(spec.u, multi);
  if (Array.isArray(spec.arrayFilters) && spec.arrayFilters.length > 0) throw notSupported('arrayFilters');
  const hits = findRecords(coll, { filter: spec.q, sort: spec.sort, limit: multi ? 0 : 1 });
  const outcome: UpdateOutcome = { matched: 0, modified: 0 };
  if (hits.length === 0) {
    if (spec.upsert) {
      const { id, doc } = upsertDocument(coll, spec.q, update);
      outcome.upsertedId = id;
      outcome.after = doc;
    }
    return outcome;
  }
  const operator = isOperatorUpdate(update);
  const matcher = operator ? compileFilter(spec.q) : undefined;
  for (const hit of hits) {
    const before = docOf(hit);
    let after: Doc;
    if (operator) {
      // Re-match to learn which array element matched, for the positional `$`.
      const mctx: MatchContext = {};
      matcher?.(before, mctx);
      after = applyOperatorUpdate(before, update, { isInsert: false, pos: mctx.pos });
    } else after = applyReplacement(before, update);
    outcome.matched++;
    if (coll.replace(hit.rec, before, after)) outcome.modified++;
    if (!multi) {
      outcome.before = before;
      outcome.after = after;
    }
  }
  return outcome;
}

export function deleteDocuments(
  coll: Collection | undefined,
  q: unknown,
  limit: number,
  sort?: unknown,
): { n: number; deleted?: Doc } {
  if (!coll) return { n: 0 };
  if (limit !== 0 && limit !== 1)
    throw badValue(`The limit field in delete objects must be 0 or 1. Got ${limit}`);
  const hits = findRecords(coll, { filter: q, sort, limit });
  for (const hit of hits) coll.delete(hit.rec);
  const first = hits[0];
  return first && limit === 1 ? { n: hits.length, deleted: docOf(first) } : { n: hits.length };
}
