import { isPlainObject, type Doc } from './bson-types.js';
import type { Collection } from './collection.js';
import { valueKey } from './compare.js';
import { badValue, notSupported } from './errors.js';
import { toDouble } from './numeric.js';
import { hasOwn } from './own.js';
import { parseSort, type SortKey } from './sort.js';

/**
 * `hint`: which index a query must scan. Indexes here only enforce uniqueness, so a hint cannot make a
 * query faster, but it can change the answer and is honoured for that: with no sort, documents come in
 * the hinted index's order (or natural order, or its reverse, for `$natural`), and a sparse index holds
 * only the documents that have one of its fields. A hint naming no index is MongoDB's BadValue.
 */
export interface HintPlan {
  /** Result order when the query has no sort: the index's key pattern. */
  order?: SortKey[];
  /** `{$natural: 1 | -1}`: insertion order, or its reverse; the _id index is not used. */
  natural?: 1 | -1;
  /** Documents the index holds (a sparse index skips those missing every key field). */
  admits?: (doc: Doc) => boolean;
}

export function resolveHint(coll: Collection | undefined, hint: unknown): HintPlan | undefined {
  if (hint === undefined || hint === null) return undefined;
  if (typeof hint !== 'string' && !isPlainObject(hint)) throw badValue('hint must be a string or an object');
  if (isPlainObject(hint) && hasOwn(hint, '$natural')) {
    if (Object.keys(hint).length !== 1) throw badValue('$natural hint cannot be combined with other fields');
    return { natural: toDouble(hint.$natural) < 0 ? -1 : 1 };
  }
  if (isPlainObject(hint) && Object.keys(hint).length === 0) return undefined; // {} means "no hint"
  // A collection that does not exist has no documents to order: mongod answers it empty, hint or not.
  if (!coll) return undefined;
  const spec = coll
    .indexSpecs()
    .find((s) => (typeof hint === 'string' ? s.name === hint : valueKey(s.key) === valueKey(hint)));
  if (!spec || spec.hidden === true) {
    throw badValue(
      `error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index: ${JSON.stringify(hint)}`,
    );
  }
  if (spec.partialFilterExpression !== undefined)
    throw notSupported(`hint on a partial index (${spec.name})`);
  const order = parseSort(spec.key);
  if (spec.sparse !== true) return { order };
  const index = coll.indexes.find((i) => i.name === spec.name);
  return index ? { order, admits: (doc) => index.keysFor(doc).length > 0 } : { order };
}
