import { EJSON } from 'bson';
import type pg from 'pg';
import type { LegacyId, PgUuid } from '../db/ids.js';
import { versionOf } from '../collections/mapping/timestamps.js';
import type { CollectionSpec, LegacyDoc, MappedDocument, Reject } from '../collections/spec.js';
import { constraintReject, isConstraintError } from './constraintReject.js';
import type { RejectRow } from './sql/outcomes.js';
import { probeInsert, replaceChildren, upsertRows } from './sql/upsertRows.js';
import { quoteIdent, tableShape } from './sql/tableShape.js';

export interface Mapped {
  legacyId: LegacyId;
  doc: LegacyDoc;
  result: MappedDocument;
}

/** What happened to the mapped documents of a chunk. */
export interface WriteOutcome {
  /** In Postgres now (inserted, updated, or already identical). */
  written: Mapped[];
  /** Inserted or updated: their anomalies and pending links are (re)recorded. */
  changed: Mapped[];
  /** Updated, i.e. there before: their old child rows, junction rows and notes are cleared. */
  rewritten: Mapped[];
}

/** The source document as canonical Extended JSON: every BSON type survives in the jsonb column. */
export function rawOf(doc: LegacyDoc): unknown {
  return EJSON.serialize(doc, { relaxed: false });
}

/**
 * Writes the mapped documents of a chunk (main rows, child rows, junction clean-up) inside the caller's
 * transaction. A row Postgres refuses becomes a reject: a unique clash is skipped by the upsert and
 * probed alone; a thrown refusal (FK, CHECK, unique clash on UPDATE) bisects the batch under savepoints,
 * so k offenders cost O(k log n) statements, not n.
 */
export async function writeDocuments(
  client: pg.ClientBase,
  spec: CollectionSpec,
  ids: ReadonlyMap<LegacyId, PgUuid>,
  batch: readonly Mapped[],
  rejects: RejectRow[],
  depth = 0,
): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { written: [], changed: [], rewritten: [] };
  if (batch.length === 0) return outcome;
  const savepoint = `write_${depth}`;
  await client.query(`SAVEPOINT ${savepoint}`);
  try {
    const { inserted, updated, refused } = await writeBatch(client, spec, ids, batch);
    await client.query(`RELEASE SAVEPOINT ${savepoint}`);
    for (const one of batch) {
      const id = ids.get(one.legacyId)!;
      if (refused.has(one.legacyId)) {
        rejects.push({
          legacyId: one.legacyId,
          reject: await refusalOf(client, spec, ids, one),
          raw: rawOf(one.doc),
        });
        continue;
      }
      outcome.written.push(one);
      if (inserted.has(id) || updated.has(id)) outcome.changed.push(one);
      if (updated.has(id)) outcome.rewritten.push(one);
    }
    return outcome;
  } catch (error) {
    if (!isConstraintError(error)) throw error;
    await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    await client.query(`RELEASE SAVEPOINT ${savepoint}`);
    if (batch.length === 1) {
      const [one] = batch as [Mapped];
      rejects.push({ legacyId: one.legacyId, reject: constraintReject(error), raw: rawOf(one.doc) });
      return outcome;
    }
    const middle = Math.ceil(batch.length / 2);
    const left = await writeDocuments(client, spec, ids, batch.slice(0, middle), rejects, depth + 1);
    const right = await writeDocuments(client, spec, ids, batch.slice(middle), rejects, depth + 1);
    return {
      written: [...left.written, ...right.written],
      changed: [...left.changed, ...right.changed],
      rewritten: [...left.rewritten, ...right.rewritten],
    };
  }
}

function mainRow(
  ids: ReadonlyMap<LegacyId, PgUuid>,
  { legacyId, doc, result }: Mapped,
): Record<string, unknown> {
  return { ...result.row, id: ids.get(legacyId), legacyObjectId: legacyId, sourceUpdatedAt: versionOf(doc) };
}

async function writeBatch(
  client: pg.ClientBase,
  spec: CollectionSpec,
  ids: ReadonlyMap<LegacyId, PgUuid>,
  batch: readonly Mapped[],
): Promise<{ inserted: Set<PgUuid>; updated: Set<PgUuid>; refused: Set<LegacyId> }> {
  const result = await upsertRows(
    client,
    tableShape(spec.table),
    batch.map((one) => mainRow(ids, one)),
  );
  const inserted = new Set(result.inserted);
  const updated = new Set(result.updated);
  for (const [childName, child] of Object.entries(spec.children ?? {})) {
    const shape = tableShape(child.table);
    const ownerColumn = shape.columnOf.get(child.ownerKey);
    if (!ownerColumn) throw new Error(`${childName} has no owner column ${child.ownerKey}`);
    const childRows: Record<string, unknown>[] = [];
    for (const { legacyId, result: mapped } of batch) {
      const owner = ids.get(legacyId)!;
      if (!inserted.has(owner) && !updated.has(owner)) continue;
      for (const row of mapped.children?.[childName] ?? [])
        childRows.push({ ...row, [child.ownerKey]: owner });
    }
    await replaceChildren(client, shape, ownerColumn, result.updated, childRows);
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
  return { inserted, updated, refused: new Set(result.refused) };
}

/** Why a row skipped by ON CONFLICT DO NOTHING was refused: insert it plainly under a savepoint. */
async function refusalOf(
  client: pg.ClientBase,
  spec: CollectionSpec,
  ids: ReadonlyMap<LegacyId, PgUuid>,
  one: Mapped,
): Promise<Reject> {
  await client.query('SAVEPOINT probe');
  const error = await probeInsert(client, tableShape(spec.table), mainRow(ids, one));
  await client.query('ROLLBACK TO SAVEPOINT probe');
  await client.query('RELEASE SAVEPOINT probe');
  if (isConstraintError(error)) return constraintReject(error);
  // Refused a moment ago, accepted now: a concurrent writer removed the clash. Say so; a retry settles it.
  return {
    reject: 'constraint_violation',
    message: 'refused by a unique constraint that no longer clashes; retry it',
  };
}
