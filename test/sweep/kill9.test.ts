import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ObjectId } from 'bson';
import type { Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/backfill/start.js';
import { changeMode } from '../../src/modes/changeMode.js';
import { sweepCollections } from '../../src/sweep/deltaSweep.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { mappingProblems } from './oracle.js';
import { gapGates } from '../../src/modes/gates/index.js';

const WRITER = fileURLToPath(new URL('./writer.ts', import.meta.url));
const COLLECTIONS = ['users', 'configsettings', 'pointtransactions'] as const;

describe('delta sweep after kill -9', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 400, seed: 17, quirkRate: 0 });
    stack.startWorkers(2);
    const { runId } = await startBackfill(stack.deps, { collections: 'all', chunkSize: 200 });
    expect((await stack.waitForRun(runId)).status).toBe('completed');
    await stack.stopWorkers();
    for (const collection of COLLECTIONS)
      await changeMode(
        stack.deps.db,
        { collection, to: 'dual', actor: 'test' },
        { gates: gapGates(stack.deps.db) },
      );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('(c) every document an app SIGKILLed before its syncs wrote ends in Postgres as its mapping', async () => {
    const tag = `k9${Date.now().toString(36)}`;
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER], {
      env: { ...process.env, WRITER_MONGO_URL: stack.config.MONGO_URL, WRITER_TAG: tag },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    const acked = new Map<string, Set<string>>(COLLECTIONS.map((c) => [c, new Set<string>()]));
    let writes = 0;
    // Killed at a point that depends on the scheduler: after 400 to ~600 acknowledged writes.
    const killAt = 400 + Math.floor(Math.random() * 200);
    const lines = createInterface({ input: child.stdout });
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer made only ${writes} writes in 60 s`)), 60_000);
      lines.on('line', (line) => {
        if (line === 'ready') return;
        const { c, id } = JSON.parse(line) as { c: string; id: string };
        acked.get(c)!.add(id);
        if (++writes === killAt) {
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => (clearTimeout(timer), resolve()));
    });
    expect(await exited).toBe('SIGKILL');
    const writeSeconds = (performance.now() - started) / 1000;

    // Everything the writer left in MongoDB, acknowledged or not (a write in flight at the kill may have
    // landed without its line being read).
    const written = {
      users: (
        await stack.source
          .collection<Document>('users')
          .find({ 'profile.displayName': { $regex: `^${tag} ` } }, { projection: { _id: 1 } })
          .toArray()
      ).map((d) => d._id as ObjectId),
      configsettings: (
        await stack.source
          .collection<Document>('configsettings')
          .find({ key: { $regex: `^${tag}\\.` } }, { projection: { _id: 1 } })
          .toArray()
      ).map((d) => d._id as ObjectId),
      pointtransactions: (
        await stack.source
          .collection<Document>('pointtransactions')
          .find({ referenceType: tag }, { projection: { _id: 1 } })
          .toArray()
      ).map((d) => d._id as ObjectId),
    };
    for (const c of COLLECTIONS) {
      const found = new Set(written[c].map((id) => id.toHexString()));
      expect(
        [...acked.get(c)!].filter((id) => !found.has(id)),
        c,
      ).toEqual([]);
      // Nothing was synced: the app died before any of its syncs.
      expect(
        (await mappingProblems(stack.pg.db.$client, stack.source, c, written[c])).length,
        c,
      ).toBeGreaterThan(0);
    }

    const sweepStarted = performance.now();
    const result = await sweepCollections(
      { pool: stack.pg.db.$client, mongo: stack.deps.mongo },
      { collections: 'all', batchSize: 100 },
    );
    const sweepSeconds = (performance.now() - sweepStarted) / 1000;
    expect(result.failed).toBe(0);
    expect(result.rejected).toBe(0);
    expect(result.gaps).toBe(0);
    for (const c of COLLECTIONS) {
      const swept = result.collections.find((s) => s.collection === c)!;
      expect(swept.status, c).toBe('swept');
      expect(swept.scanned, c).toBeGreaterThanOrEqual(written[c].length);
      expect(await mappingProblems(stack.pg.db.$client, stack.source, c, written[c]), c).toEqual([]);
    }
    // Collections left in mongo mode were not touched.
    expect(
      result.collections
        .filter((s) => s.status === 'swept')
        .map((s) => s.collection)
        .sort(),
    ).toEqual([...COLLECTIONS].sort());
    console.log(
      `kill -9: writer killed after ${writes} acknowledged writes (${writeSeconds.toFixed(1)} s); ` +
        `one sweep read ${result.scanned} ids and synced ${result.synced} in ${sweepSeconds.toFixed(2)} s ` +
        `(${COLLECTIONS.map((c) => `${c} ${written[c].length}`).join(', ')} documents written)`,
    );
  });
});
