import type { Db as MongoDb, Document } from 'mongodb';
import pg from 'pg';
import { copyChunk } from '../../src/backfill/copyChunk.js';
import { applyLinks } from '../../src/backfill/link.js';
import { ID_TYPE_BRACKETS } from '../../src/backfill/ranges.js';
import { inTransaction } from '../../src/backfill/runState.js';
import { quoteIdent, tableShape } from '../../src/backfill/sql/tableShape.js';
import { REGISTRY } from '../../src/collections/registry.js';
import { legacyIdText } from './accounting.js';
import { ExactSums, normaliseDecimalText, readMoney } from './exactDecimal.js';
import { createTestDatabase } from './postgres.js';

/**
 * The end-of-chaos oracle: "Postgres agrees with MongoDB", whatever path Postgres took to get there
 * (dual writes, gap drains, sweeps, retries, backfill chunks racing them).
 *
 * It builds a REFERENCE database from scratch (a fresh clone of the migrated template), copies the
 * CURRENT MongoDB state into it through the backfill's own chunk path (copyChunk over whole `_id`
 * brackets, parents first, then the deferred link pass and the finalize steps, as a run's completion
 * does), and compares the database under test with it table by table, after translating every uuid
 * foreign key to the legacy id of the row it points at (uuids are allocated per database).
 *
 * MongoDB must be quiet while it runs: the reference is a snapshot of MongoDB taken collection by
 * collection, and the database under test must already hold its final state (drains and syncs done).
 */

export type DisagreementKind = 'missing' | 'extra' | 'changed' | 'child_rows' | 'reject' | 'money';

export interface Disagreement {
  /** A table name; `migration_rejects[collection]` for rejects, `money:<table>` for money sums. */
  readonly table: string;
  /** The row's legacy_object_id; for child rows the OWNER's; for money sums the group key. */
  readonly legacyId: string;
  /**
   * - `missing`: the reference has a live row, the database under test has none (or only a tombstone);
   * - `extra`: the database under test has a live row the reference does not;
   * - `changed`: both have the row, `columns` differ (`tombstone` when a tombstone has the wrong reason;
   *   `id` when the row's uuid is not its id_map entry);
   * - `child_rows`: the owner's child (or junction) rows differ as multisets; `ours`/`reference` hold the
   *   tuples only that side has, in the order of `columns`;
   * - `reject`: the open reject of the document differs (absent on one side, or reason/field/raw);
   * - `money`: an exact sum of a money column over live rows differs for that group.
   */
  readonly kind: DisagreementKind;
  readonly columns?: string[];
  readonly ours?: unknown;
  readonly reference?: unknown;
  /** Context that explains or qualifies the disagreement (e.g. "references a tombstoned row"). */
  readonly note?: string;
}

export interface AgreementOptions {
  /** Mongo collection names to compare (their parents are copied into the reference too). @defaultValue all */
  collections?: string[];
}

/**
 * Columns never compared, with why (each is engine state whose value depends on WHEN and HOW a row was
 * written, not on the document):
 */
const IGNORED_MAIN_COLUMNS: Readonly<Record<string, string>> = {
  // The row's uuid: allocated by id_map (gen_random_uuid) per database, so it differs by construction.
  // What IS checked instead: in the database under test, a live row's id equals its id_map entry.
  id: 'uuid allocated per database by id_map',
  // The write guard: Postgres' clock when the writer began reading MongoDB; a property of the write.
  source_read_at: 'write-guard stamp (Postgres clock of the write)',
  // Tombstones are compared as a STATE (live / deleted / rejected, see compareMain), not as instants:
  // the instant is when the engine noticed, and the reference, built from scratch, never has one.
  source_deleted_at: 'tombstone instant; compared as state',
  rejected_at: 'tombstone instant; compared as state',
  // NOT ignored on purpose: created_at / updated_at / source_updated_at / legacy_extra of main tables are
  // copied from the document (createdAt, updatedAt, its version, undeclared fields), so they must agree.
};
const IGNORED_CHILD_COLUMNS: Readonly<Record<string, string>> = {
  // bigserial surrogate of child tables: rewriting a document replaces its child rows wholesale, so the
  // serials depend on how many times it was written. Order is carried by `ordinal`, which is compared.
  id: 'bigserial surrogate, depends on write history',
};
/**
 * Columns of open rejects that are compared: (collection, legacy id) is the key, then reason, field and
 * the raw document. Not compared: `id` (bigserial), `run_id` (the run that saw it; syncs have none),
 * `message` (a Postgres refusal embeds its DETAIL, which names uuids of this database),
 * `first_seen_at` / `last_seen_at` (engine clock), `resolved_at` / `resolution` (only OPEN rejects are
 * compared: resolved ones are history, and the reference has none).
 */
const COMPARED_REJECT_COLUMNS = ['reason', 'field', 'raw'] as const;

/**
 * Tables of the engine itself, not compared, and why. Every other table must be a main, child or
 * junction table of a collection spec: an unclassified table makes the oracle throw rather than skip it.
 */
export const ENGINE_TABLES: Readonly<Record<string, string>> = {
  // Allocate-once, never shrinks (plan §3): a document ever seen keeps its entry after it is deleted or
  // rejected, so the database under test legitimately holds a superset, and the uuids differ anyway.
  // Instead, every live main row is checked to carry its id_map uuid (`changed`, column `id`).
  id_map: 'allocate-once superset; row ids checked against it instead',
  // Compared separately (open rejects only), see COMPARED_REJECT_COLUMNS.
  migration_rejects: 'compared separately (open rejects)',
  // A log of departures the engine noticed; the reference starts after them and has none. The state it
  // records is compared through tombstones and absent rows.
  migration_deletions: 'log of departures noticed; state compared via tombstones',
  // Reviewer notes (anomalies) and the link queue (pending links): process state. Their effect on data
  // (FK columns, junction rows) is compared; a stale note changes no row.
  migration_anomalies: 'reviewer notes, no data',
  pending_links: 'link work queue; its effect (FKs, junction rows) is compared',
  // Dual-write gaps, sweep checkpoints, runs, chunks, modes, audits: the engine's own bookkeeping.
  pg_dualwrite_gaps: 'dual-write bookkeeping',
  sweep_checkpoints: 'sweep bookkeeping',
  backfill_runs: 'run bookkeeping',
  backfill_run_collections: 'run bookkeeping',
  backfill_chunks: 'run bookkeeping',
  collection_modes: 'cutover state',
  collection_mode_changes: 'cutover audit trail',
  audit_reports: 'audit reports',
  // Verification runs and shadow-read counts: reports about the data, not data.
  verification_runs: 'verification history',
  verification_results: 'verification history',
  verification_mismatches: 'verification history',
  shadow_read_counts: 'shadow-read tallies',
  shadow_read_mismatches: 'shadow-read findings',
  // Allocation state seeded once by deriveddestinations' finalize (GREATEST of what it holds and the
  // source maximum) and advanced by pg-mode allocation only: it may legitimately run ahead of a
  // from-scratch seed, and dual-mode syncs do not advance it. Not a function of the current documents.
  derivation_counters: 'allocation state, seeded once, advanced by pg mode',
};

/** A comparable table: a spec's main table, or a child/junction table keyed by its owner column. */
interface TablePlan {
  readonly collection: string;
  readonly table: string;
  /** Child and junction tables: the uuid column pointing at the owner's main row. */
  readonly ownerColumn?: string;
  /** The owner's main table (child tables). */
  readonly ownerTable?: string;
}

function planTables(collections: readonly string[]): TablePlan[] {
  const plans: TablePlan[] = [];
  for (const collection of collections) {
    const spec = REGISTRY.get(collection);
    const main = tableShape(spec.table).name;
    plans.push({ collection, table: main });
    const owned = [...Object.values(spec.children ?? {}), ...Object.values(spec.junctions ?? {})];
    for (const child of owned) {
      const shape = tableShape(child.table);
      const ownerColumn = shape.columnOf.get(child.ownerKey);
      if (!ownerColumn) throw new Error(`${shape.name}: no column for owner key ${child.ownerKey}`);
      plans.push({ collection, table: shape.name, ownerColumn, ownerTable: main });
    }
  }
  return plans;
}

/** Every table of the schema is compared or listed in ENGINE_TABLES; nothing is skipped silently. */
async function assertEveryTableClassified(client: pg.ClientBase): Promise<void> {
  const known = new Set([...planTables(REGISTRY.order).map((p) => p.table), ...Object.keys(ENGINE_TABLES)]);
  const { rows } = await client.query<{ name: string }>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`,
  );
  const unknown = rows.map((r) => r.name).filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new Error(
      `agreement oracle: table(s) ${unknown.join(', ')} are neither a spec's table nor in ENGINE_TABLES ` +
        `(test/support/agreement.ts): classify them so they are compared or knowingly skipped`,
    );
}

// ---- the reference --------------------------------------------------------------------------------

/** The collections plus everything they reference (directly, deferred, by value), parents first. */
function withParents(collections: readonly string[]): string[] {
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const parent of REGISTRY.graph.parents.get(name) ?? []) visit(parent);
    for (const parent of REGISTRY.graph.deferredParents.get(name) ?? []) visit(parent);
  };
  for (const name of collections) visit(name);
  return REGISTRY.order.filter((name) => wanted.has(name));
}

/**
 * The backfill's reference behaviour, in-process: each collection (parents first) copied by copyChunk
 * over every `_id` type bracket whole, one transaction per bracket; then every deferred link whose both
 * ends were copied, and each collection's finalize step, as completeCollection does at a run's end.
 * Also what a test uses to backfill the database under test.
 */
export async function copyCollections(
  pool: pg.Pool,
  mongo: MongoDb,
  collections: readonly string[] = REGISTRY.order,
): Promise<void> {
  const selected = REGISTRY.select([...collections]);
  for (const name of selected) {
    const spec = REGISTRY.get(name);
    for (const type of ID_TYPE_BRACKETS) {
      await inTransaction(pool, (client) =>
        copyChunk(client, mongo, spec, { runId: null, range: { type, lo: null, hi: null }, since: null }),
      );
    }
  }
  const copied = new Set(selected);
  await inTransaction(pool, async (client) => {
    for (const source of selected)
      for (const parent of REGISTRY.graph.deferredParents.get(source) ?? [])
        if (copied.has(parent)) await applyLinks(client, source, parent, null);
    for (const name of selected) await REGISTRY.get(name).finalize?.(client);
  });
}

// ---- reading a database as comparable text ----------------------------------------------------------

/**
 * A client whose text output does not depend on server settings: timestamptz::text in UTC, ISO dates,
 * floats at their shortest exact text. Both databases are read through such clients.
 */
async function openReader(url: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'agreement-oracle',
    options: '-c TimeZone=UTC -c DateStyle=ISO -c extra_float_digits=1',
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

interface ColumnMeta {
  readonly name: string;
  readonly dataType: string;
  /** For a foreign key: the referenced main table (its `id`). */
  readonly references?: string;
}

async function columnsOf(client: pg.ClientBase, table: string): Promise<ColumnMeta[]> {
  const { rows: columns } = await client.query<{ name: string; data_type: string }>(
    `SELECT column_name AS name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  // Foreign keys from the catalog, so a new FK column (or a new child table) is translated unasked.
  const { rows: keys } = await client.query<{
    column: string;
    ref_table: string;
    ref_column: string;
    width: number;
  }>(
    `SELECT a.attname AS column, cf.relname AS ref_table, fa.attname AS ref_column,
            array_length(c.conkey, 1) AS width
       FROM pg_constraint c
       JOIN pg_class cl ON cl.oid = c.conrelid
       JOIN pg_namespace ns ON ns.oid = cl.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       JOIN pg_class cf ON cf.oid = c.confrelid
       JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
      WHERE c.contype = 'f' AND ns.nspname = current_schema() AND cl.relname = $1`,
    [table],
  );
  const fk = new Map<string, string>();
  for (const key of keys) {
    if (key.width !== 1)
      throw new Error(`${table}.${key.column}: multi-column foreign keys are not supported`);
    // A by-value key (users.level → level_configs.level) holds the same value in both databases.
    if (key.ref_column === 'id') fk.set(key.column, key.ref_table);
  }
  return columns.map((c) => {
    const references = fk.get(c.name);
    if (c.data_type === 'uuid' && c.name !== 'id' && !references)
      throw new Error(`${table}.${c.name}: a uuid column without a foreign key cannot be compared`);
    return references
      ? { name: c.name, dataType: c.data_type, references }
      : { name: c.name, dataType: c.data_type };
  });
}

/**
 * A column as text that is equal on both sides exactly when the values are: numeric through
 * trim_scale (exact, and 12.50 = 12.5 whatever scale a value was stored with; both sides normalised the
 * same way), timestamps in UTC (reader settings), jsonb in its canonical text, arrays and enums as text.
 */
function valueSql(alias: string, column: ColumnMeta): string {
  const ref = `${alias}.${quoteIdent(column.name)}`;
  return column.dataType === 'numeric' ? `trim_scale(${ref})::text` : `${ref}::text`;
}

type TextRow = Record<string, string | null>;

interface TableRead {
  /** Compared columns, in table order. */
  readonly columns: string[];
  /** key → rows (main tables: one per legacy id; child tables: the owner's rows). */
  readonly rows: Map<string, TextRow[]>;
}

const KEY = '__key';
const TOMBSTONE = '__tombstone';
const REFS_TOMBSTONE = '__refs_tombstone';
const ID_MAPPED = '__id_mapped';

/**
 * One table of one database as text rows: FK uuids → the referenced row's legacy id, keyed by the row's
 * legacy id (main) or its owner's (child). Main rows carry their tombstone state and whether their id is
 * their id_map entry; every row says whether it references a tombstoned row.
 */
async function readTable(
  client: pg.ClientBase,
  plan: TablePlan,
  columns: readonly ColumnMeta[],
): Promise<TableRead> {
  const ignored = plan.ownerColumn ? IGNORED_CHILD_COLUMNS : IGNORED_MAIN_COLUMNS;
  const joins: string[] = [];
  const tombstoneRefs: string[] = [];
  const select: string[] = [];
  const compared: string[] = [];
  columns.forEach((column, i) => {
    if (column.name in ignored || column.name === plan.ownerColumn || column.name === 'legacy_object_id')
      return;
    compared.push(column.name);
    if (column.references) {
      const alias = `p${i}`;
      joins.push(
        `LEFT JOIN ${quoteIdent(column.references)} ${alias} ON ${alias}.id = t.${quoteIdent(column.name)}`,
      );
      tombstoneRefs.push(`${alias}.source_deleted_at IS NOT NULL OR ${alias}.rejected_at IS NOT NULL`);
      select.push(
        `CASE WHEN t.${quoteIdent(column.name)} IS NULL THEN NULL
              ELSE COALESCE(${alias}.legacy_object_id, '<no row ' || t.${quoteIdent(column.name)}::text || '>') END
           AS ${quoteIdent(column.name)}`,
      );
    } else select.push(`${valueSql('t', column)} AS ${quoteIdent(column.name)}`);
  });
  let key: string;
  const extra: string[] = [];
  if (plan.ownerColumn) {
    joins.push(`JOIN ${quoteIdent(plan.ownerTable!)} o ON o.id = t.${quoteIdent(plan.ownerColumn)}`);
    key = 'o.legacy_object_id';
  } else {
    key = 't.legacy_object_id';
    joins.push(`LEFT JOIN id_map m ON m.collection = $1 AND m.legacy_object_id = t.legacy_object_id`);
    extra.push(
      `CASE WHEN t.source_deleted_at IS NOT NULL THEN 'deleted' WHEN t.rejected_at IS NOT NULL THEN 'rejected' END
         AS ${TOMBSTONE}`,
      `COALESCE(m.new_id = t.id, false)::text AS ${ID_MAPPED}`,
    );
  }
  extra.push(
    `(${tombstoneRefs.length === 0 ? 'false' : tombstoneRefs.join(' OR ')})::text AS ${REFS_TOMBSTONE}`,
  );
  const sql = `SELECT ${key} AS ${KEY}, ${[...extra, ...select].join(', ')}
                 FROM ${quoteIdent(plan.table)} t ${joins.join(' ')}`;
  const { rows } = await client.query<TextRow>(sql, plan.ownerColumn ? [] : [plan.collection]);
  const byKey = new Map<string, TextRow[]>();
  for (const row of rows) {
    const list = byKey.get(row[KEY]!) ?? [];
    list.push(row);
    byKey.set(row[KEY]!, list);
  }
  return { columns: compared, rows: byKey };
}

interface OpenReject {
  readonly reason: string;
  readonly field: string | null;
  readonly raw: string;
}

async function openRejects(
  client: pg.ClientBase,
  collections: readonly string[],
): Promise<Map<string, Map<string, OpenReject>>> {
  const { rows } = await client.query<{ collection: string; id: string } & OpenReject>(
    `SELECT collection, legacy_object_id AS id, reason, field, raw::text AS raw FROM migration_rejects
      WHERE resolved_at IS NULL AND collection = ANY($1::text[])`,
    [collections],
  );
  const out = new Map<string, Map<string, OpenReject>>(collections.map((c) => [c, new Map()]));
  for (const { collection, id, ...reject } of rows) out.get(collection)!.set(id, reject);
  return out;
}

// ---- comparing -------------------------------------------------------------------------------------

const TOMBSTONE_REFERENCE_NOTE =
  'our row references a tombstoned row: policy keeps such references (docs/data-policy.md "Deletes"), ' +
  'while a copy from scratch sees the parent gone';

const pick = (row: TextRow, columns: readonly string[]) =>
  Object.fromEntries(columns.map((c) => [c, row[c] ?? null]));

/** Main table: live rows column by column; tombstoned rows of ours as a state the reference must imply. */
function compareMain(
  plan: TablePlan,
  ours: TableRead,
  reference: TableRead,
  referenceRejects: ReadonlyMap<string, OpenReject>,
  out: Disagreement[],
): { oursLive: Set<string>; referenceLive: Set<string> } {
  const oursLive = new Set<string>();
  const referenceLive = new Set(reference.rows.keys());
  const keys = [...new Set([...ours.rows.keys(), ...reference.rows.keys()])].sort();
  for (const legacyId of keys) {
    const o = ours.rows.get(legacyId)?.[0];
    const r = reference.rows.get(legacyId)?.[0];
    const note = o?.[REFS_TOMBSTONE] === 'true' ? { note: TOMBSTONE_REFERENCE_NOTE } : {};
    const tombstone = o?.[TOMBSTONE] ?? null;
    if (o && tombstone !== null) {
      if (r) {
        out.push({
          table: plan.table,
          legacyId,
          kind: 'missing',
          ours: { tombstone },
          reference: 'live row',
        });
        continue;
      }
      // The reference has no row: the document is rejected now (an open reject) or gone from MongoDB.
      const expected = referenceRejects.has(legacyId) ? 'rejected' : 'deleted';
      if (tombstone !== expected)
        out.push({
          table: plan.table,
          legacyId,
          kind: 'changed',
          columns: ['tombstone'],
          ours: tombstone,
          reference: expected,
        });
      continue;
    }
    if (o) oursLive.add(legacyId);
    if (o && !r) {
      out.push({ table: plan.table, legacyId, kind: 'extra', ours: pick(o, ours.columns), ...note });
      continue;
    }
    if (!o && r) {
      out.push({ table: plan.table, legacyId, kind: 'missing', reference: pick(r, reference.columns) });
      continue;
    }
    if (!o || !r) continue;
    const differing = ours.columns.filter((c) => (o[c] ?? null) !== (r[c] ?? null));
    if (differing.length > 0)
      out.push({
        table: plan.table,
        legacyId,
        kind: 'changed',
        columns: differing,
        ours: pick(o, differing),
        reference: pick(r, differing),
        ...note,
      });
    if (o[ID_MAPPED] !== 'true')
      out.push({
        table: plan.table,
        legacyId,
        kind: 'changed',
        columns: ['id'],
        ours: 'id is not its id_map.new_id',
        reference: 'id = id_map.new_id',
      });
  }
  return { oursLive, referenceLive };
}

/** Child/junction table: per owner live on both sides, the rows as multisets of canonical tuples. */
function compareChildren(
  plan: TablePlan,
  ours: TableRead,
  reference: TableRead,
  owners: { oursLive: ReadonlySet<string>; referenceLive: ReadonlySet<string> },
  out: Disagreement[],
): void {
  const tuple = (row: TextRow) => JSON.stringify(ours.columns.map((c) => row[c] ?? null));
  const keys = [...new Set([...ours.rows.keys(), ...reference.rows.keys()])].sort();
  for (const owner of keys) {
    // An owner missing (or tombstoned) on one side is already reported on its main table.
    if (!owners.oursLive.has(owner) || !owners.referenceLive.has(owner)) continue;
    const counts = new Map<string, number>();
    for (const row of ours.rows.get(owner) ?? []) counts.set(tuple(row), (counts.get(tuple(row)) ?? 0) + 1);
    for (const row of reference.rows.get(owner) ?? [])
      counts.set(tuple(row), (counts.get(tuple(row)) ?? 0) - 1);
    const onlyOurs: unknown[] = [];
    const onlyReference: unknown[] = [];
    for (const [text, count] of counts) {
      for (let i = 0; i < count; i++) onlyOurs.push(JSON.parse(text));
      for (let i = 0; i < -count; i++) onlyReference.push(JSON.parse(text));
    }
    if (onlyOurs.length + onlyReference.length === 0) continue;
    const refsTombstone = (ours.rows.get(owner) ?? []).some((row) => row[REFS_TOMBSTONE] === 'true');
    out.push({
      table: plan.table,
      legacyId: owner,
      kind: 'child_rows',
      columns: ours.columns,
      ours: onlyOurs,
      reference: onlyReference,
      ...(refsTombstone ? { note: TOMBSTONE_REFERENCE_NOTE } : {}),
    });
  }
}

function compareRejects(
  collection: string,
  ours: ReadonlyMap<string, OpenReject>,
  reference: ReadonlyMap<string, OpenReject>,
  out: Disagreement[],
): void {
  const table = `migration_rejects[${collection}]`;
  for (const legacyId of [...new Set([...ours.keys(), ...reference.keys()])].sort()) {
    const o = ours.get(legacyId);
    const r = reference.get(legacyId);
    const columns =
      o && r ? COMPARED_REJECT_COLUMNS.filter((c) => o[c] !== r[c]) : [...COMPARED_REJECT_COLUMNS];
    if (o && r && columns.length === 0) continue;
    out.push({ table, legacyId, kind: 'reject', columns, ours: o ?? null, reference: r ?? null });
  }
}

function compareMoney(ours: MoneySums, reference: MoneySums, out: Disagreement[]): void {
  for (const part of Object.keys(ours) as (keyof MoneySums)[]) {
    const groups = [...new Set([...Object.keys(ours[part]), ...Object.keys(reference[part])])].sort();
    for (const group of groups) {
      const o = ours[part][group] ?? '0';
      const r = reference[part][group] ?? '0';
      if (o !== r)
        out.push({
          table: `money:${part}`,
          legacyId: group,
          kind: 'money',
          columns: ['sum(amount)'],
          ours: o,
          reference: r,
        });
    }
  }
}

/**
 * Every disagreement between the database at `pgUrl` and a reference copied from scratch out of the
 * current `source`: main tables, child and junction tables, open rejects, tombstones, id_map consistency
 * and exact money sums. Empty means they agree. The reference database is dropped before returning.
 */
export async function storeDisagreements(
  source: MongoDb,
  pgUrl: string,
  options: AgreementOptions = {},
): Promise<Disagreement[]> {
  const compared = options.collections ? REGISTRY.select(options.collections) : [...REGISTRY.order];
  const referenceDb = await createTestDatabase();
  const ours = await openReader(pgUrl);
  let reference: pg.Client | undefined;
  try {
    await assertEveryTableClassified(ours);
    await copyCollections(referenceDb.db.$client, source, withParents(compared));
    reference = await openReader(referenceDb.url);
    const out: Disagreement[] = [];
    const oursRejects = await openRejects(ours, compared);
    const referenceRejects = await openRejects(reference, compared);
    const live = new Map<string, { oursLive: Set<string>; referenceLive: Set<string> }>();
    for (const plan of planTables(compared)) {
      const columns = await columnsOf(ours, plan.table);
      const signature = JSON.stringify(columns);
      if (JSON.stringify(await columnsOf(reference, plan.table)) !== signature)
        throw new Error(`${plan.table}: the database under test and the reference have different schemas`);
      const [o, r] = [await readTable(ours, plan, columns), await readTable(reference, plan, columns)];
      if (plan.ownerTable) compareChildren(plan, o, r, live.get(plan.ownerTable)!, out);
      else live.set(plan.table, compareMain(plan, o, r, referenceRejects.get(plan.collection)!, out));
    }
    for (const collection of compared)
      compareRejects(collection, oursRejects.get(collection)!, referenceRejects.get(collection)!, out);
    const moneyTables = compared.filter((c) => c === 'payments' || c === 'fundsledgerentries');
    if (moneyTables.length > 0) {
      const [o, r] = [await sumsOf(ours), await sumsOf(reference)];
      const only = (sums: MoneySums): MoneySums => ({
        payments: compared.includes('payments') ? sums.payments : {},
        fundsLedgerEntries: compared.includes('fundsledgerentries') ? sums.fundsLedgerEntries : {},
      });
      compareMoney(only(o), only(r), out);
    }
    return out;
  } finally {
    await ours.end().catch(() => undefined);
    await reference?.end().catch(() => undefined);
    await referenceDb.drop();
  }
}

/** A readable account of disagreements: the count by kind and table, then the first `limit`. */
export function describeDisagreements(found: readonly Disagreement[], limit = 20): string {
  const tally = new Map<string, number>();
  for (const d of found) tally.set(`${d.kind} ${d.table}`, (tally.get(`${d.kind} ${d.table}`) ?? 0) + 1);
  const short = (value: unknown) => {
    const text = JSON.stringify(value);
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  };
  const lines = found.slice(0, limit).map((d) => {
    const columns = d.columns ? ` [${d.columns.join(', ')}]` : '';
    const sides = [
      d.ours !== undefined ? `ours=${short(d.ours)}` : '',
      d.reference !== undefined ? `reference=${short(d.reference)}` : '',
    ].filter(Boolean);
    return `  ${d.kind} ${d.table} ${d.legacyId}${columns} ${sides.join(' ')}${d.note ? ` (${d.note})` : ''}`;
  });
  return [
    `${found.length} disagreement(s) between Postgres and MongoDB: ${[...tally].map(([k, n]) => `${k}: ${n}`).join(', ')}`,
    ...lines,
    ...(found.length > limit ? [`  … and ${found.length - limit} more`] : []),
  ].join('\n');
}

/** Fails, listing the first ~20 disagreements, unless the database at `pgUrl` agrees with `source`. */
export async function expectStoresAgree(
  source: MongoDb,
  pgUrl: string,
  options: AgreementOptions = {},
): Promise<void> {
  const found = await storeDisagreements(source, pgUrl, options);
  if (found.length > 0) throw new Error(describeDisagreements(found));
}

// ---- money -----------------------------------------------------------------------------------------

/**
 * Exact money sums over LIVE rows (no tombstone), as canonical decimal text (exactDecimal.ts form):
 * payments.amount by `status provider direction currency` (currency added: summing across currencies
 * means nothing), funds_ledger_entries.amount by `type currency` (either may be NULL, shown as `∅`).
 */
export interface MoneySums {
  payments: Record<string, string>;
  fundsLedgerEntries: Record<string, string>;
}

const NONE = '∅';

async function sumsOf(client: pg.ClientBase): Promise<MoneySums> {
  const live = 'source_deleted_at IS NULL AND rejected_at IS NULL';
  const { rows: payments } = await client.query<{ key: string; sum: string }>(
    `SELECT concat_ws(' ', status::text, provider::text, direction::text, coalesce(currency, '${NONE}')) AS key,
            sum(amount)::text AS sum
       FROM payments WHERE ${live} GROUP BY 1`,
  );
  const { rows: ledger } = await client.query<{ key: string; sum: string }>(
    `SELECT concat_ws(' ', coalesce(type::text, '${NONE}'), coalesce(currency, '${NONE}')) AS key,
            sum(amount)::text AS sum
       FROM funds_ledger_entries WHERE ${live} GROUP BY 1`,
  );
  const record = (rows: { key: string; sum: string }[]) =>
    Object.fromEntries(
      rows.sort((a, b) => a.key.localeCompare(b.key)).map((r) => [r.key, normaliseDecimalText(r.sum)]),
    );
  return { payments: record(payments), fundsLedgerEntries: record(ledger) };
}

/** The exact money sums of the database at `pgUrl` (see MoneySums). */
export async function moneySums(pgUrl: string): Promise<MoneySums> {
  const client = await openReader(pgUrl);
  try {
    return await sumsOf(client);
  } finally {
    await client.end();
  }
}

/**
 * The same sums computed from MongoDB alone, exactly (readMoney → scaled BigInt), over the documents
 * that have a LIVE row in the database at `liveIn`, identified by legacy id. Why restricted: which
 * documents migrate is the mapping policy's call (rejects, constraint clashes, orphans), and restating it
 * here would be a second mapper. Restricted this way, the two sums agree exactly when every migrated
 * document's amount and grouping fields arrived intact; a missing or extra row is storeDisagreements'
 * job (which also compares the database's sums with the reference's, i.e. the policy-applied sums).
 * Grouping values are restated from the mappers: absent enum → the model default (status `pending`,
 * provider `request.network`, direction `in`, amount.currency `USDT`); ledger type/currency absent → ∅.
 */
export async function mongoMoneySums(source: MongoDb, liveIn: string): Promise<MoneySums> {
  const client = await openReader(liveIn);
  let livePayments: Set<string>;
  let liveLedger: Set<string>;
  try {
    const ids = async (table: string) =>
      new Set(
        (
          await client.query<{ id: string }>(
            `SELECT legacy_object_id AS id FROM ${quoteIdent(table)}
              WHERE source_deleted_at IS NULL AND rejected_at IS NULL`,
          )
        ).rows.map((r) => r.id),
      );
    livePayments = await ids('payments');
    liveLedger = await ids('funds_ledger_entries');
  } finally {
    await client.end();
  }
  const idOf = (doc: Document): string | undefined => {
    try {
      return legacyIdText(doc._id);
    } catch {
      return undefined; // an `_id` no row can be keyed by: never a live row
    }
  };
  const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
  const scaled = (value: unknown, what: string): bigint => {
    const reading = readMoney(value);
    if (!reading.ok) throw new Error(`${what} has a live row but its money does not read: ${reading.detail}`);
    return reading.scaled;
  };

  const payments = new ExactSums();
  for await (const doc of source.collection('payments').find({})) {
    const id = idOf(doc);
    if (id === undefined || !livePayments.has(id)) continue;
    const amount = (doc.amount ?? {}) as Document;
    const key = [
      text(doc.status, 'pending'),
      text(doc.provider, 'request.network'),
      text(doc.direction, 'in'),
      text(amount.currency, 'USDT'),
    ].join(' ');
    payments.add(key, scaled(amount.value, `payments ${id}`));
  }
  const ledger = new ExactSums();
  for await (const doc of source.collection('fundsledgerentries').find({})) {
    const id = idOf(doc);
    if (id === undefined || !liveLedger.has(id)) continue;
    ledger.add(
      `${text(doc.type, NONE)} ${text(doc.currency, NONE)}`,
      scaled(doc.amount, `fundsledgerentries ${id}`),
    );
  }
  return { payments: payments.toRecord(), fundsLedgerEntries: ledger.toRecord() };
}
