import { isNumeric, isPlainObject, type Doc } from '../bson-types.js';
import { badValue, CommandError, notSupported, unknownField } from '../errors.js';
import { toDouble } from '../numeric.js';
import { hasOwn } from '../own.js';

/**
 * Every field a command may carry, and what the server does with it. A field the server implements (or
 * that cannot change an answer: sessions, write and read concerns on a single node, comments) is
 * accepted; a real option this server does not implement is refused with NotImplemented naming it; a
 * field no MongoDB knows is refused as mongod refuses it ("BSON field 'find.foo' is an unknown field.").
 * Nothing is ignored in silence: an ignored collation or hint would return a different answer than
 * MongoDB without saying so.
 */
export type Rule = 'ok' | 'unsupported' | ((value: unknown, path: string, cmd: Doc) => void);
export type Rules = Readonly<Record<string, Rule>>;

/** Generic fields the driver adds to any command. */
const COMMON: Rules = {
  $db: 'ok',
  lsid: 'ok',
  $readPreference: 'ok',
  $clusterTime: 'ok',
  // txnNumber / autocommit / startTransaction are refused before this check (standalone: no transactions).
  txnNumber: 'ok',
  autocommit: 'ok',
  startTransaction: 'ok',
  writeConcern: (v, path) => {
    // One node: an acknowledged write is already majority-committed and journaled; more nodes cannot be.
    if (!isPlainObject(v)) throw badValue(`${path} must be an object`);
    const w = v.w;
    if (w === undefined || w === 'majority' || (isNumeric(w) && toDouble(w) <= 1)) return;
    if (isNumeric(w)) throw badValue("cannot use 'w' > 1 when a host is not a member of a replica set");
    throw new CommandError(
      'UnknownReplWriteConcern',
      `No write concern mode named '${String(w)}' found in replica set configuration`,
    );
  },
  readConcern: 'ok', // one node, no transactions: local, majority and linearizable read the same data
  comment: 'ok',
  // Commands run synchronously to completion; none outlives any time limit by waiting for another.
  maxTimeMS: 'ok',
  apiVersion: (v) => {
    if (v !== '1') throw badValue(`Unsupported API version: ${String(v)}`);
  },
  apiStrict: 'ok',
  apiDeprecationErrors: 'ok',
};

/** The value that means "not asked for": accepted even for an unsupported option. */
function isDefault(v: unknown): boolean {
  return v === undefined || v === null || v === false;
}

export function checkFields(doc: Doc, path: string, rules: Rules, withCommon = true): void {
  for (const key of Object.keys(doc)) {
    const rule = hasOwn(rules, key)
      ? rules[key]
      : withCommon && hasOwn(COMMON, key)
        ? COMMON[key]
        : undefined;
    const value = doc[key];
    if (rule === undefined) throw unknownField(`${path}.${key}`);
    if (rule === 'ok') continue;
    if (rule === 'unsupported') {
      if (!isDefault(value)) throw notSupported(`option '${key}' (${path}.${key})`);
      continue;
    }
    rule(value, `${path}.${key}`, doc);
  }
}

/** The simple (binary) collation is what this server compares with; any other would change answers. */
export const collation: Rule = (v, path) => {
  if (isDefault(v)) return;
  if (isPlainObject(v) && v.locale === 'simple' && Object.keys(v).length === 1) return;
  throw notSupported(`option 'collation' (${path}: ${JSON.stringify(v)}; only {locale: 'simple'})`);
};

const emptyArray: Rule = (v, path) => {
  if (isDefault(v) || (Array.isArray(v) && v.length === 0)) return;
  throw notSupported(`option 'arrayFilters' (${path})`);
};

const cursorOptions: Rule = (v, path) => {
  if (!isPlainObject(v)) throw badValue(`${path} must be an object`);
  checkFields(v, path, { batchSize: 'ok' }, false);
};

const capped: Rule = (v, path, cmd) => {
  if (isDefault(v) || (isNumeric(v) && toDouble(v) === 0)) return;
  if (cmd.size === undefined || cmd.size === null)
    throw new CommandError('InvalidOptions', "the 'size' field is required when 'capped' is true");
  throw notSupported(`capped collections (${path})`);
};

const validator: Rule = (v, path) => {
  if (isDefault(v) || (isPlainObject(v) && Object.keys(v).length === 0)) return;
  throw notSupported(`option 'validator' (${path}): document validation, including $jsonSchema,`);
};

const WRITE = { ordered: 'ok', bypassDocumentValidation: 'ok', let: 'unsupported' } as const;

/** Command name → its fields (the command's own name is the first field and names the collection). */
export const COMMAND_RULES: Readonly<Record<string, Rules>> = {
  find: {
    find: 'ok',
    filter: 'ok',
    sort: 'ok',
    projection: 'ok',
    hint: 'ok',
    skip: 'ok',
    limit: 'ok',
    batchSize: 'ok',
    singleBatch: 'ok',
    noCursorTimeout: 'ok',
    allowDiskUse: 'ok', // nothing spills to disk here
    allowPartialResults: 'ok', // one node: results are never partial
    collation,
    let: 'unsupported',
    min: 'unsupported',
    max: 'unsupported',
    returnKey: 'unsupported',
    showRecordId: 'unsupported',
    tailable: 'unsupported',
    awaitData: 'unsupported',
    oplogReplay: 'unsupported',
    readOnce: 'ok',
  },
  getMore: { getMore: 'ok', collection: 'ok', batchSize: 'ok', maxAwaitTimeMS: 'ok', term: 'ok' },
  killCursors: { killCursors: 'ok', cursors: 'ok' },
  insert: { insert: 'ok', documents: 'ok', ...WRITE },
  update: { update: 'ok', updates: 'ok', ...WRITE },
  delete: { delete: 'ok', deletes: 'ok', ...WRITE },
  findAndModify: {
    findAndModify: 'ok',
    query: 'ok',
    sort: 'ok',
    remove: 'ok',
    update: 'ok',
    new: 'ok',
    fields: 'ok',
    upsert: 'ok',
    hint: 'ok',
    bypassDocumentValidation: 'ok',
    collation,
    arrayFilters: emptyArray,
    let: 'unsupported',
  },
  count: { count: 'ok', query: 'ok', limit: 'ok', skip: 'ok', hint: 'ok', collation },
  distinct: { distinct: 'ok', key: 'ok', query: 'ok', hint: 'ok', collation },
  aggregate: {
    aggregate: 'ok',
    pipeline: 'ok',
    cursor: cursorOptions,
    explain: 'unsupported',
    allowDiskUse: 'ok',
    bypassDocumentValidation: 'ok',
    hint: 'ok',
    collation,
    let: 'unsupported',
  },
  createIndexes: { createIndexes: 'ok', indexes: 'ok', commitQuorum: 'ok' },
  listIndexes: { listIndexes: 'ok', cursor: cursorOptions },
  dropIndexes: { dropIndexes: 'ok', index: 'ok' },
  listCollections: {
    listCollections: 'ok',
    filter: 'ok',
    nameOnly: 'ok',
    authorizedCollections: 'ok',
    cursor: cursorOptions,
  },
  create: {
    create: 'ok',
    capped,
    size: (v, path, cmd) => {
      if (!isDefault(v) && isDefault(cmd.capped))
        throw notSupported(`option 'size' without capped (${path})`);
    },
    max: (v, path, cmd) => {
      if (!isDefault(v) && isDefault(cmd.capped)) throw notSupported(`option 'max' without capped (${path})`);
    },
    validator,
    validationLevel: 'ok', // with no validator (refused above) there is nothing to validate at any level
    validationAction: 'ok',
    collation,
    autoIndexId: (v, path) => {
      if (v === false) throw notSupported(`option 'autoIndexId: false' (${path})`);
    },
    idIndex: 'ok',
    storageEngine: 'ok',
    indexOptionDefaults: 'ok',
    viewOn: 'unsupported',
    pipeline: 'unsupported',
    timeseries: 'unsupported',
    expireAfterSeconds: 'unsupported',
    clusteredIndex: 'unsupported',
    changeStreamPreAndPostImages: (v, path) => {
      if (isPlainObject(v) && v.enabled === true)
        throw notSupported(`option 'changeStreamPreAndPostImages' (${path})`);
    },
    encryptedFields: 'unsupported',
  },
  drop: { drop: 'ok' },
  dropDatabase: { dropDatabase: 'ok' },
  collStats: { collStats: 'ok', scale: 'ok' },
  dbStats: { dbStats: 'ok', scale: 'ok', freeStorage: 'ok' },
  listDatabases: { listDatabases: 'ok', filter: 'ok', nameOnly: 'ok', authorizedDatabases: 'ok' },
};

/** One statement of an update or delete command. */
export const UPDATE_STATEMENT: Rules = {
  q: 'ok',
  u: 'ok',
  upsert: 'ok',
  multi: 'ok',
  sort: 'ok',
  hint: 'ok',
  upsertSupplied: 'ok',
  collation,
  arrayFilters: emptyArray,
  c: 'unsupported',
};

export const DELETE_STATEMENT: Rules = { q: 'ok', limit: 'ok', hint: 'ok', collation };

/** Index types other than ascending/descending keys (text, 2d, 2dsphere, hashed) are refused by key. */
export const INDEX_SPEC: Rules = {
  key: 'ok',
  name: 'ok',
  unique: 'ok',
  sparse: 'ok',
  partialFilterExpression: 'ok',
  hidden: 'ok',
  v: 'ok',
  ns: 'ok',
  background: 'ok', // builds are instantaneous here
  storageEngine: 'ok',
  collation,
  expireAfterSeconds: (v, path) => {
    if (v !== undefined && v !== null) throw notSupported(`TTL indexes (${path})`);
  },
  weights: 'unsupported',
  default_language: 'unsupported',
  language_override: 'unsupported',
  textIndexVersion: 'unsupported',
  '2dsphereIndexVersion': 'unsupported',
  bits: 'unsupported',
  min: 'unsupported',
  max: 'unsupported',
  bucketSize: 'unsupported',
  wildcardProjection: 'unsupported',
  prepareUnique: 'unsupported',
  clustered: 'unsupported',
};

export function checkCommandFields(name: string, cmd: Doc): void {
  const canonical =
    name === 'findandmodify' ? 'findAndModify' : name === 'deleteIndexes' ? 'dropIndexes' : name;
  const rules = hasOwn(COMMAND_RULES, canonical) ? COMMAND_RULES[canonical] : undefined;
  if (!rules) return; // handshake and diagnostic commands: their fields cannot change stored data or answers
  if (canonical !== name) {
    // The legacy spelling names the collection under its own key.
    const { [name]: coll, ...rest } = cmd;
    checkFields({ [canonical]: coll, ...rest }, canonical, rules);
  } else checkFields(cmd, name, rules);
}
