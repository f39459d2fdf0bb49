import type { Db as MongoDb } from 'mongodb';
import pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import type { LegacyDoc } from '../collections/spec.js';
import { copyChunk, type ChunkTarget } from '../backfill/copyChunk.js';
import { planRanges } from '../backfill/plan.js';
import { prefetchReferences } from '../backfill/references.js';
import { rangeFilter } from '../backfill/ranges.js';
import { cpuDelta, readBackendCpuSeconds } from './postgresCpu.js';

/** Serial, single-connection rates of one chunk's three steps over one collection. */
export interface StageRates {
  collection: string;
  /** `_id`-range queries of chunk-size documents over the whole collection, from the source process. */
  readDocs: number;
  readDocsPerSec: number;
  /** `spec.map` in memory over the same documents (references already resolved). */
  mapDocsPerSec: number;
  /** copyChunk fed with documents already read (resolve + map + write + commit), into an empty database. */
  writeDocs: number;
  writeDocsPerSec: number;
  /** CPU µs of this process per document, by step: the worker's own cost (see measureStages). */
  workerCpuUsPerDoc: WorkerCpuPerDoc;
  /** CPU µs of the stage connection's Postgres backend per document in the write step; null without /proc. */
  postgresCpuUsPerDoc: number | null;
}

/** Worker CPU µs per document; write is copyChunk's CPU minus its mapping, as for the wall-clock shares. */
export interface WorkerCpuPerDoc {
  read: number;
  map: number;
  write: number;
  total: number;
}

/** Enough chunks for a steady write rate without doubling the bench's length. */
const WRITE_SAMPLE_CHUNKS = 10;

/**
 * Splits a chunk into its steps to name what bounds the throughput: the source read, the mapping, and
 * the Postgres write path. Reference lookups for mapping use the already backfilled target (`targetUrl`);
 * the write step runs into `stageUrl`, a fresh database that first receives, untimed, every collection
 * the measured one references (so its by-value and id_map lookups find their parents).
 *
 * Beside wall-clock, each step's CPU: this process's (`process.cpuUsage()`; the steps run serially here
 * with the real driver and pg client, so it is what a worker spends) and, for the write step, the one
 * Postgres backend that serves it (from /proc, while its connection is open).
 */
export async function measureStages(
  mongo: MongoDb,
  targetUrl: string,
  stageUrl: string,
  collection: string,
  chunkSize: number,
): Promise<StageRates> {
  const spec = REGISTRY.get(collection);
  const target = await connect(targetUrl);
  const stage = await connect(stageUrl);
  try {
    for (const parent of ancestorsOf(collection)) {
      for (const range of await planRanges(mongo, parent, chunkSize))
        await inTransaction(stage, () => copyChunk(stage, mongo, REGISTRY.get(parent), chunkTarget(range)));
    }
    let readDocs = 0;
    let readSeconds = 0;
    let mapSeconds = 0;
    let writeDocs = 0;
    let writeSeconds = 0;
    const cpuUs = { read: 0, map: 0, sampledMap: 0, copyChunk: 0 };
    let postgresSeconds: number | null = 0;
    const backendPid = await backendPidOf(stage);
    const backendCpu = () => (backendPid === null ? null : readBackendCpuSeconds(backendPid));
    const ranges = await planRanges(mongo, collection, chunkSize);
    for (const [index, range] of ranges.entries()) {
      let t = performance.now();
      let cpu = process.cpuUsage();
      const docs = (await mongo
        .collection(collection)
        .find(rangeFilter(range), { sort: { _id: 1 } })
        .toArray()) as LegacyDoc[];
      readSeconds += (performance.now() - t) / 1000;
      cpuUs.read += cpuSince(cpu);
      readDocs += docs.length;

      const ctx = await prefetchReferences(target, spec, docs);
      t = performance.now();
      cpu = process.cpuUsage();
      for (const doc of docs) spec.map(doc, ctx);
      mapSeconds += (performance.now() - t) / 1000;
      const mapUs = cpuSince(cpu);
      cpuUs.map += mapUs;

      if (index < WRITE_SAMPLE_CHUNKS) {
        // copyChunk maps these documents again: their mapping CPU is subtracted from its CPU below.
        cpuUs.sampledMap += mapUs;
        const backendBefore = backendCpu();
        t = performance.now();
        cpu = process.cpuUsage();
        await inTransaction(stage, () => copyChunk(stage, alreadyRead(docs), spec, chunkTarget(range)));
        writeSeconds += (performance.now() - t) / 1000;
        cpuUs.copyChunk += cpuSince(cpu);
        const backend = cpuDelta(backendBefore, backendCpu());
        postgresSeconds = postgresSeconds === null || backend === null ? null : postgresSeconds + backend;
        writeDocs += docs.length;
      }
    }
    const workerCpu = {
      read: cpuUs.read / readDocs,
      map: cpuUs.map / readDocs,
      write: Math.max(0, cpuUs.copyChunk - cpuUs.sampledMap) / writeDocs,
    };
    return {
      collection,
      readDocs,
      readDocsPerSec: readDocs / readSeconds,
      mapDocsPerSec: readDocs / mapSeconds,
      writeDocs,
      writeDocsPerSec: writeDocs / writeSeconds,
      workerCpuUsPerDoc: { ...workerCpu, total: workerCpu.read + workerCpu.map + workerCpu.write },
      postgresCpuUsPerDoc: postgresSeconds === null ? null : (postgresSeconds * 1e6) / writeDocs,
    };
  } finally {
    await Promise.all([target.end(), stage.end()]);
  }
}

/** CPU µs (user + system) this process used since `start`. */
function cpuSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return user + system;
}

/** The pid of the backend serving `client`, if this machine's /proc can see it. */
async function backendPidOf(client: pg.Client): Promise<number | null> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = rows[0]?.pid ?? null;
  return pid !== null && readBackendCpuSeconds(pid) !== null ? pid : null;
}

const chunkTarget = (range: ChunkTarget['range']): ChunkTarget => ({ runId: null, range, since: null });

/** Every collection `collection` references, transitively, parents first; itself excluded. */
function ancestorsOf(collection: string): string[] {
  const found = new Set<string>();
  const visit = (name: string) => {
    for (const parent of REGISTRY.graph.parents.get(name) ?? []) {
      if (parent === collection || found.has(parent)) continue;
      found.add(parent);
      visit(parent);
    }
  };
  visit(collection);
  return REGISTRY.order.filter((name) => found.has(name));
}

/**
 * A stand-in for the source that hands copyChunk the documents it would have read: its one use of the
 * driver is `collection(name).find(filter, options).toArray()`. Only for timing the rest of the chunk.
 */
function alreadyRead(docs: LegacyDoc[]): MongoDb {
  const cursor = { toArray: () => Promise.resolve(docs) };
  return { collection: () => ({ find: () => cursor }) } as unknown as MongoDb;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'strangler-bench-stages' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function inTransaction(client: pg.Client, fn: () => Promise<unknown>): Promise<void> {
  await client.query('BEGIN');
  try {
    await fn();
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
