import { ObjectId } from 'bson';
import { isPlainObject, type Doc } from './bson-types.js';
import type { Collection } from './collection.js';
import type { HintPlan } from './hint.js';
import { badValue, CommandError } from './errors.js';
import { compileFilter, isOperatorObject, type MatchContext } from './matcher.js';
import { splitPath } from './path.js';
import { docOf, findRecords } from './query.js';
import { recordId } from './record.js';
import { applyOperatorUpdate, applyReplacement } from './update.js';
import { parseUpdate, type ParsedUpdate } from './update-parse.js';
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
  hint?: HintPlan | undefined;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  /** For findAndModify (single-document updates): the document before and after. */
  before?: Doc;
  after?: Doc;
}

function validateUpdate(u: unknown, multi: boolean): ParsedUpdate {
  const parsed = parseUpdate(u);
  if (multi && parsed.kind === 'replacement') {
    throw new CommandError('InvalidOptions', 'multi update is not supported for replacement-style update');
  }
  return parsed;
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

export function upsertDocument(
  coll: Collection,
  q: unknown,
  update: ParsedUpdate,
): { id: unknown; doc: Doc } {
  let doc: Doc;
  if (update.kind === 'operators')
    doc = applyOperatorUpdate(seedFromQuery(q), update.ops, { isInsert: true });
  else {
    const seed = seedFromQuery(q);
    doc = applyReplacement(seed._id === undefined ? {} : { _id: seed._id }, update.doc);
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
  const hits = findRecords(coll, { filter: spec.q, sort: spec.sort, limit: multi ? 0 : 1, hint: spec.hint });
  const outcome: UpdateOutcome = { matched: 0, modified: 0 };
  if (hits.length === 0) {
    if (spec.upsert) {
      const { id, doc } = upsertDocument(coll, spec.q, update);
      outcome.upsertedId = id;
      outcome.after = doc;
    }
    return outcome;
  }
  const matcher = update.kind === 'operators' ? compileFilter(spec.q) : undefined;
  for (const hit of hits) {
    const before = docOf(hit);
    let after: Doc;
    if (update.kind === 'operators') {
      // Re-match to learn which array element matched, for the positional `$`.
      const mctx: MatchContext = {};
      matcher?.(before, mctx);
      after = applyOperatorUpdate(before, update.ops, { isInsert: false, pos: mctx.pos });
    } else after = applyReplacement(before, update.doc);
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
  hint?: HintPlan,
): { n: number; deleted?: Doc } {
  if (limit !== 0 && limit !== 1)
    throw badValue(`The limit field in delete objects must be 0 or 1. Got ${limit}`);
  const hits = findRecords(coll, { filter: q, sort, limit, hint });
  if (!coll) return { n: 0 };
  for (const hit of hits) coll.delete(hit.rec);
  const first = hits[0];
  return first && limit === 1 ? { n: hits.length, deleted: docOf(first) } : { n: hits.length };
}
