/**
 * The embedded MongoDB-wire-compatible server (see server.ts). What it speaks, as a standalone 7.0:
 * - handshake (OP_QUERY isMaster → OP_REPLY, then OP_MSG hello), ping, buildInfo, sessions, no compression;
 * - insert / find / getMore / killCursors / update / delete / findAndModify / count / distinct / aggregate;
 * - listCollections, create, drop, dropDatabase, listDatabases, collStats, dbStats;
 * - createIndexes / listIndexes / dropIndexes: ascending/descending keys; unique (incl. sparse,
 *   partialFilterExpression, compound) indexes are enforced with real E11000 errors; other indexes are
 *   recorded and honoured by `hint` (order, sparse) but do not speed queries up;
 * - an _id index (hash + ordered array) that serves _id equality/$in/range queries and $bucketAuto on $_id.
 * Every command field is checked against a list (commands/options.ts): what is not implemented is refused
 * with an error naming it, never ignored; updates, filters, projections and pipelines are parsed before any
 * document is read. Field names are never object keys that reach Object.prototype (own.ts).
 * Deliberately not supported (clear NotImplemented errors): transactions (rejected exactly like a
 * standalone), arrayFilters / `$[id]`, pipeline-style updates, $out/$merge/$facet/$lookup-with-pipeline,
 * $text/$where/geo and text/2d/2dsphere/hashed/wildcard/TTL indexes, collation (other than 'simple'),
 * validators, capped/time series/clustered collections and views, `let`, change streams, auth,
 * OP_COMPRESSED.
 */
export { startEmbeddedMongo, type EmbeddedMongo, type EmbeddedMongoOptions } from './server.js';
