/**
 * Throughput of the embedded server through the official driver, the way the backfill uses it:
 *   npx tsx src/mongo/embedded/measure.ts [N]        (default 1,000,000)
 * Inserts N small documents in batches of 1,000, then reads everything back in 1,000 sequential _id
 * ranges (planned with $bucketAuto), and repeats the range reads on a collection of N/4 documents so
 * the cost per range read can be compared across sizes (it should not grow with N).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MongoClient, ObjectId, type Collection } from 'mongodb';
import { startEmbeddedMongo } from './server.js';

const RANGES = 1000;
const BATCH = 1000;

interface Doc {
  _id: ObjectId;
  i: number;
  name: string;
  amount: number;
  createdAt: Date;
}

async function load(coll: Collection<Doc>, n: number): Promise<number> {
  const started = performance.now();
  for (let start = 0; start < n; start += BATCH) {
    const size = Math.min(BATCH, n - start);
    const docs = Array.from({ length: size }, (_, j) => ({
      _id: new ObjectId(),
      i: start + j,
      name: `user-${start + j}`,
      amount: (start + j) % 1000,
      createdAt: new Date(),
    }));
    await coll.insertMany(docs, { ordered: false });
  }
  return (performance.now() - started) / 1000;
}

async function readRanges(
  coll: Collection<Doc>,
  n: number,
): Promise<{ seconds: number; planSeconds: number }> {
  const planStart = performance.now();
  const buckets = await coll.aggregate([{ $bucketAuto: { groupBy: '$_id', buckets: RANGES } }]).toArray();
  const planSeconds = (performance.now() - planStart) / 1000;
  const started = performance.now();
  let seen = 0;
  for (const [k, b] of buckets.entries()) {
    const last = k === buckets.length - 1;
    const filter = { _id: last ? { $gte: b._id.min, $lte: b._id.max } : { $gte: b._id.min, $lt: b._id.max } };
    const docs = await coll.find(filter, { batchSize: 10_000 }).sort({ _id: 1 }).toArray();
    seen += docs.length;
  }
  if (seen !== n) throw new Error(`range reads saw ${seen} documents, expected ${n}`);
  return { seconds: (performance.now() - started) / 1000, planSeconds };
}

interface ServerProcess {
  url: string;
  rssMiB(): Promise<number>;
  close(): Promise<void>;
}

/** Child mode: serve, report the URL, answer memory queries, exit on 'stop'. */
async function serve(): Promise<void> {
  const server = await startEmbeddedMongo();
  process.on('message', (m: unknown) => {
    if (m === 'rss') process.send?.({ rss: process.memoryUsage().rss / 2 ** 20 });
    if (m === 'stop') void server.close().then(() => process.exit(0));
  });
  process.send?.({ url: server.url });
}

async function startServerProcess(): Promise<ServerProcess> {
  // Same loader flags (tsx) as this process, so the child can run TypeScript too.
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: process.execArgv,
    stdio: 'inherit',
  });
  const next = <T>(key: string): Promise<T> =>
    new Promise((resolve) => {
      const onMessage = (m: unknown) => {
        if (typeof m === 'object' && m !== null && key in m) {
          child.off('message', onMessage);
          resolve((m as Record<string, T>)[key] as T);
        }
      };
      child.on('message', onMessage);
    });
  const url = await next<string>('url');
  return {
    url,
    rssMiB: () => {
      const r = next<number>('rss');
      child.send('rss');
      return r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

/** 1,000 keyset reads of a fixed 100 documents spread over the collection: should cost the same at any N. */
async function fixedReads(coll: Collection<Doc>, n: number): Promise<number> {
  const step = Math.floor(n / RANGES);
  const starts: ObjectId[] = [];
  for (const [k, b] of (
    await coll.aggregate([{ $bucketAuto: { groupBy: '$_id', buckets: RANGES } }]).toArray()
  ).entries()) {
    if (k < RANGES) starts.push(b._id.min as ObjectId);
  }
  const started = performance.now();
  for (const lo of starts) {
    const docs = await coll
      .find({ _id: { $gte: lo } })
      .sort({ _id: 1 })
      .limit(Math.min(100, step))
      .toArray();
    if (docs.length === 0) throw new Error('empty keyset read');
  }
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  if (!Number.isInteger(n) || n < RANGES) throw new Error(`N must be an integer ≥ ${RANGES}`);
  const server = await startServerProcess();
  const client = new MongoClient(`${server.url}/measure`);
  try {
    await client.connect();
    const db = client.db('measure');
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
    const results: string[] = [];
    for (const size of [n, Math.floor(n / 4)]) {
      const coll = db.collection<Doc>(`docs_${size}`);
      const insertSeconds = await load(coll, size);
      const { seconds, planSeconds } = await readRanges(coll, size);
      const fixedSeconds = await fixedReads(coll, size);
      const serverRss = await server.rssMiB();
      results.push(
        [
          `N=${fmt(size)}`,
          `  insert docs/s:            ${fmt(size / insertSeconds)}  (${insertSeconds.toFixed(1)} s)`,
          `  plan ($bucketAuto ${RANGES}):  ${(planSeconds * 1000).toFixed(0)} ms`,
          `  range-scan docs/s:        ${fmt(size / seconds)}`,
          `  1,000 range reads:        ${seconds.toFixed(2)} s  (${((seconds * 1000) / RANGES).toFixed(2)} ms per read of ~${fmt(size / RANGES)} docs)`,
          `  1,000 reads of 100 docs:  ${fixedSeconds.toFixed(2)} s  (${((fixedSeconds * 1000) / RANGES).toFixed(2)} ms per read)`,
          `  server rss:               ${fmt(serverRss)} MiB`,
        ].join('\n'),
      );
      process.stdout.write(`${results[results.length - 1]}\n`);
      await coll.drop(); // the N/4 run starts from an empty server
    }
  } finally {
    await client.close();
    await server.close();
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
