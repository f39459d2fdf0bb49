import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { cpuDelta, readPostgresCpuSeconds } from './postgresCpu.js';
import type { TargetTable } from './targetTables.js';

export interface CopyCeiling {
  rows: number;
  bytes: number;
  /** Wall time of the `COPY … FROM STDIN` of every table, one after another on one connection. */
  seconds: number;
  rowsPerSec: number;
  /** CPU seconds every Postgres process on the machine used during those COPYs (./postgresCpu.ts). */
  postgresCpuSeconds: number | null;
}

interface Dump {
  table: TargetTable;
  chunks: Buffer[];
}

/**
 * The raw-COPY ceiling over exactly the rows the backfill produced: every target table is dumped with
 * `COPY … TO STDOUT (FORMAT binary)` into memory (untimed), then loaded into the same, empty tables of
 * another freshly migrated database with `COPY … FROM STDIN` (timed). A migrated database rather than
 * `CREATE TABLE … (LIKE …)` copies: the ceiling pays for the same indexes, unique constraints and
 * foreign keys the backfill pays for, so the ratio compares like with like.
 */
export async function measureCopyCeiling(
  fromUrl: string,
  intoUrl: string,
  tables: readonly TargetTable[],
): Promise<CopyCeiling> {
  const dumps: Dump[] = [];
  await withClient(fromUrl, async (client) => {
    for (const table of tables) {
      const chunks: Buffer[] = [];
      const stream = client.query(copyTo(`COPY ${table.quoted} TO STDOUT (FORMAT binary)`));
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      dumps.push({ table, chunks });
    }
  });

  let rows = 0;
  let seconds = 0;
  let postgresCpuSeconds: number | null = null;
  await withClient(intoUrl, async (client) => {
    // Parents first (the order of `tables`): each COPY is checked by the foreign keys as it goes. A
    // cycle (purchase_requests ⇄ seller_offers) has no such order: its back-edge keys are dropped
    // before the clock starts and re-added, validating every row, inside the timed section, as the
    // backfill's link pass does its work inside the run.
    const backEdges = await forwardForeignKeys(client, tables);
    for (const fk of backEdges) await client.query(`ALTER TABLE ${fk.table} DROP CONSTRAINT "${fk.name}"`);
    // Both readings while this connection is open: its backend's CPU is the bulk of the figure.
    const postgresBefore = readPostgresCpuSeconds();
    const started = performance.now();
    for (const { table, chunks } of dumps) {
      const sink = client.query(copyFrom(`COPY ${table.quoted} FROM STDIN (FORMAT binary)`));
      await pipeline(Readable.from(chunks), sink);
      rows += sink.rowCount;
    }
    for (const fk of backEdges)
      await client.query(`ALTER TABLE ${fk.table} ADD CONSTRAINT "${fk.name}" ${fk.def}`);
    seconds = (performance.now() - started) / 1000;
    postgresCpuSeconds = cpuDelta(postgresBefore, readPostgresCpuSeconds());
  });
  const bytes = dumps.reduce((sum, d) => sum + d.chunks.reduce((n, c) => n + c.length, 0), 0);
  return { rows, bytes, seconds, rowsPerSec: rows / seconds, postgresCpuSeconds };
}

/** Foreign keys from a table to one loaded after it: the edges no load order can satisfy. */
async function forwardForeignKeys(
  client: pg.Client,
  tables: readonly TargetTable[],
): Promise<{ table: string; name: string; def: string }[]> {
  const position = new Map(tables.map((t, i) => [t.quoted.replaceAll('"', ''), i]));
  const { rows } = await client.query<{ child: string; parent: string; name: string; def: string }>(
    `SELECT c.relname AS child, p.relname AS parent, k.conname AS name,
            pg_get_constraintdef(k.oid) AS def
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
      WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace AND k.conrelid <> k.confrelid`,
  );
  return rows
    .filter((r) => (position.get(r.parent) ?? -1) > (position.get(r.child) ?? -1))
    .map((r) => ({ table: `"${r.child}"`, name: r.name, def: r.def }));
}

async function withClient(url: string, fn: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'strangler-bench' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}
