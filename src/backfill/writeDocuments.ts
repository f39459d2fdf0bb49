import { EJSON } from 'bson';
import type pg from 'pg';
import type { LegacyId, PgUuid } from '../db/ids.js';
import { versionOf } from '../collections/mapping/timestamps.js';
import type { CollectionSpec, LegacyDoc, Reject } from '../collections/spec.js';
import { constraintReject, isRowRefusal, type PgError } from './constraintReject.js';
import type { RejectRow } from './sql/outcomes.js';
import type { Mapped } from './mapped.js';
import { ownersWithDifferentChildren, probeInsert, replaceChildren, upsertRows } from './sql/upsertRows.js';
import { isUniqueFlagClash } from './uniqueFlags.js';
import { quoteIdent, tableShape } from './sql/tableShape.js';

export type { Mapped };

/** What happened to the mapped documents of a chunk. */
export interface WriteOutcome {
  /** In Postgres now (inserted, updated, or already identical). */
  written: Mapped[];
  /** Inserted or updated: their anomalies and pending links are (re)recorded. */
  changed: Mapped[];
  /** Updated, i.e. there before: their old child rows, junction rows and notes are cleared. */
  rewritten: Mapped[];
  /** Left out: their rows were written by a reader that began after this one (upsertRows `stale`). */
  stale: Mapped[];
}

/** The instant (Postgres' clock) this writer began reading MongoDB: the stamp of every row it writes. */
export interface WriteContext {
  readonly readStartedAt: Date;
}

/**
 * The source document as canonical Extended JSON: every BSON type survives in the jsonb column. jsonb
 * cannot hold U+0000, which BSON strings can, so a NUL in a key or string is written as the six
 * characters `\u0000` (the reject row's message names the field that held it).
 */
export function rawOf(doc: LegacyDoc): unknown {
  return withoutNul(EJSON.serialize(doc, { relaxed: false }));
}

function withoutNul(value: unknown): unknown {
  if (typeof value === 'string')
    return value.includes('\u0000') ? value.replaceAll('\u0000', '\\u0000') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of Object.entries(value)) out[withoutNul(key) as string] = withoutNul(item);
    return out;
  }
  return value;
}

/**
 * Writes the mapped documents of a chunk (main rows, child rows, junction clean-up) inside the caller's
 * transaction. A row Postgres refuses becomes a reject: a unique clash is skipped by the upsert and
 * probed alone; a thrown refusal (FK, CHECK, unique clash on UPDATE, a data exception of SQLSTATE class
 * 22 such as a value out of range) bisects the batch under savepoints,
 * so k offenders cost O(k log n) statements, not n.
 */
export async function writeDocuments(
  client: pg.ClientBase,
  spec: CollectionSpec,
  ids: ReadonlyMap<LegacyId, PgUuid>,
  batch: readonly Mapped[],
  rejects: RejectRow[],
  context: WriteContext,
  depth = 0,
): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { written: [], changed: [], rewritten: [], stale: [] };
  if (batch.length === 0) return outcome;
  const savepoint = `write_${depth}`;
  await client.query(`SAVEPOINT ${savepoint}`);
  try {
    const { inserted, updated, refused, stale } = await writeBatch(client, spec, ids, batch, context);
    await client.query(`RELEASE SAVEPOINT ${savepoint}`);
    for (const one of batch) {
      const id = ids.get(one.legacyId)!;
      if (refused.has(one.legacyId)) {
        rejects.push({
          legacyId: one.legacyId,
          reject: await refusalOf(client, spec, ids, one, context),
          raw: rawOf(one.doc),
        });
        continue;
      }
      if (stale.has(one.legacyId)) {
        outcome.stale.push(one);
        continue;
      }
      outcome.written.push(one);
      if (inserted.has(id) || updated.has(id)) outcome.changed.push(one);
      if (updated.has(id)) outcome.rewritten.push(one);
    }
    return outcome;
  } catch (error) {
    if (!isRowRefusal(error)) throw error;
    // A clash on a once-per-scope flag means another chunk settled the same scope concurrently: retry the
    // chunk (it then sees the winner), never reject a document that maps.
    if (isUniqueFlagClash(spec, error.constraint)) throw error;
    await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    await client.query(`RELEASE SAVEPOINT ${savepoint}`);
    if (batch.length === 1) {
      const [one] = batch as [Mapped];
      rejects.push({ legacyId: one.legacyId, reject: constraintReject(error), raw: rawOf(one.doc) });
      return outcome;
    }
    const middle = Math.ceil(batch.length / 2);
    const left = await writeDocuments(client, spec, ids, batch.slice(0, middle), rejects, context, depth + 1);
    const right = await writeDocuments(client, spec, ids, batch.slice(middle), rejects, context, depth + 1);
    return {
      written: [...left.written, ...right.written],
      changed: [...left.changed, ...right.changed],
      rewritten: [...left.rewritten, ...right.rewritten],
      stale: [...left.stale, ...right.stale],
    };
  }
}

/** The engine's columns on top of the mapped row; writing a document clears any tombstone it had. */
function mainRow(
  ids: ReadonlyMap<LegacyId, PgUuid>,
  { legacyId, doc, result }: Mapped,
  context: WriteContext,
): Record<string, unknown> {
  return {
    ...result.row,
    id: ids.get(legacyId),
    legacyObjectId: legacyId,
    sourceUpdatedAt: versionOf(doc),
    sourceReadAt: context.readStartedAt,
    sourceDeletedAt: null,
    rejectedAt: null,
  };
}

async function writeBatch(
  client: pg.ClientBase,
  spec: CollectionSpec,
  ids: ReadonlyMap<LegacyId, PgUuid>,
  batch: readonly Mapped[],
  context: WriteContext,
): Promise<{ inserted: Set<PgUuid>; updated: Set<PgUuid>; refused: Set<LegacyId>; stale: Set<LegacyId> }> {
  const result = await upsertRows(
    client,
    tableShape(spec.table),
    batch.map((one) => mainRow(ids, one, context)),
  );
  const inserted = new Set(result.inserted);
  const stale = new Set(result.stale);
  const refused = new Set(result.refused);
  for (const [childName, child] of Object.entries(spec.children ?? {})) {
    const shape = tableShape(child.table);
    const ownerColumn = shape.columnOf.get(child.ownerKey);
    if (!ownerColumn) throw new Error(`${childName} has no owner column ${child.ownerKey}`);
    const rowsOf = (one: Mapped) =>
      (one.result.children?.[childName] ?? []).map((row) => ({
        ...row,
        [child.ownerKey]: ids.get(one.legacyId)!,
      }));
    // Child rows follow the mapping even when the main row did not change (a passkey added, an edited
    // timeline entry): every written owner that was there before is compared, and replaced if it differs.
    const existing = batch.filter(
      (one) =>
        !inserted.has(ids.get(one.legacyId)!) && !stale.has(one.legacyId) && !refused.has(one.legacyId),
    );
    const differing = await ownersWithDifferentChildren(
      client,
      shape,
      ownerColumn,
      existing.map((one) => ids.get(one.legacyId)!),
      existing.flatMap(rowsOf),
    );
    const childRows = batch
      .filter((one) => inserted.has(ids.get(one.legacyId)!) || differing.has(ids.get(one.legacyId)!))
      .flatMap(rowsOf);
    await replaceChildren(client, shape, ownerColumn, [...differing], childRows);
  }
  // Deferred columns and junction rows of a rewritten document are re-derived by the link pass from its
  // new pending links: clear them, or a reference removed in Mongo would survive in Postgres.
  if (result.updated.length > 0) {
    const main = tableShape(spec.table);
    for (const ref of spec.references) {
      if (!ref.deferred || !ref.column) continue;
      await client.query(
        `UPDATE ${main.quoted} SET ${quoteIdent(ref.column)} = NULL
          WHERE id = ANY($1::uuid[]) AND ${quoteIdent(ref.column)} IS NOT NULL`,
        [result.updated],
      );
    }
  }
  for (const [name, junction] of Object.entries(spec.junctions ?? {})) {
    const shape = tableShape(junction.table);
    const ownerColumn = shape.columnOf.get(junction.ownerKey);
    if (!ownerColumn) throw new Error(`junction ${name} has no owner column ${junction.ownerKey}`);
    await replaceChildren(client, shape, ownerColumn, result.updated, []);
  }
  return { inserted, updated: new Set(result.updated), refused, stale };
}

/** Why a row skipped by ON CONFLICT DO NOTHING was refused: insert it plainly under a savepoint. */
async function refusalOf(
  client: pg.ClientBase,
  spec: CollectionSpec,
  ids: ReadonlyMap<LegacyId, PgUuid>,
  one: Mapped,
  context: WriteContext,
): Promise<Reject> {
  await client.query('SAVEPOINT probe');
  const error = await probeInsert(client, tableShape(spec.table), mainRow(ids, one, context));
  await client.query('ROLLBACK TO SAVEPOINT probe');
  await client.query('RELEASE SAVEPOINT probe');
  if (isRowRefusal(error)) {
    const { constraint } = error as PgError;
    // The same document inserted by a concurrent writer (a backfill chunk racing a sync): not a reject,
    // the next attempt updates that row instead.
    if (constraint === `${tableShape(spec.table).name}_legacy_object_id_uq`) throw error as Error;
    if (isUniqueFlagClash(spec, constraint)) throw error as Error;
    return constraintReject(error);
  }
  // Refused a moment ago, accepted now: the clashing row belonged to a concurrent transaction that has
  // since changed or rolled back. The document maps, so it must not become a reject: retry the chunk.
  throw new Error(
    `${spec.collection} ${one.legacyId}: refused by a unique constraint that no longer clashes (a concurrent writer); retrying`,
  );
}
