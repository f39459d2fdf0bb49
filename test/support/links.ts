import { getTableConfig } from 'drizzle-orm/pg-core';
import type { Db as MongoDb, Document } from 'mongodb';
import { REGISTRY } from '../../src/collections/registry.js';
import type { CollectionSpec, ReferenceSpec } from '../../src/collections/spec.js';
import { tableShape } from '../../src/backfill/sql/tableShape.js';
import { legacyIdText, liveRowsWhere, type Sql } from './accounting.js';

/**
 * Every link of a reference checked against its source documents, not counted: for each migrated row,
 * the column (or the junction rows) says exactly what the document says, restricted to parents that
 * have a row (docs/data-policy.md: a reference to a parent without a row is NULL, or no junction row).
 */

/** A single-valued reference stored in a column of the owner's main table. */
export interface ColumnCheck {
  readonly collection: string;
  readonly path: string;
  readonly parent: string;
  readonly column: string;
}

/** An array of references stored as rows of a junction table. */
export interface JunctionCheck {
  readonly collection: string;
  readonly path: string;
  readonly parent: string;
  readonly junction: string;
  readonly ownerColumn: string;
  readonly targetColumn: string;
}

export type LinkCheck = ColumnCheck | JunctionCheck;

const HEX24 = /^[0-9a-fA-F]{24}$/;

/** A reference value as the parent's legacy id: an ObjectId, or the 24-hex string that spells one. */
function referencedId(value: unknown): string | undefined {
  if (typeof value === 'string') return HEX24.test(value) ? value.toLowerCase() : undefined;
  if (
    value !== null &&
    typeof value === 'object' &&
    (value as { _bsontype?: unknown })._bsontype === 'ObjectId'
  )
    return legacyIdText(value);
  return undefined;
}

function at(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Document)[key];
  }
  return value;
}

function columnOf(spec: CollectionSpec, property: string): string {
  const column = tableShape(spec.table).columnOf.get(property);
  if (column === undefined) throw new Error(`${spec.collection}: no main-table column for ${property}`);
  return column;
}

/** The junction of `spec` whose target column has a foreign key to the parent's main table. */
function junctionTo(spec: CollectionSpec, reference: ReferenceSpec): JunctionCheck {
  const parentTable = REGISTRY.get(reference.parent).table;
  for (const junction of Object.values(spec.junctions ?? {})) {
    const shape = tableShape(junction.table);
    const targetColumn = shape.columnOf.get(junction.targetKey);
    const ownerColumn = shape.columnOf.get(junction.ownerKey);
    const pointsAtParent = getTableConfig(junction.table).foreignKeys.some((fk) => {
      const { columns, foreignTable } = fk.reference();
      return foreignTable === parentTable && columns.some((c) => c.name === targetColumn);
    });
    if (pointsAtParent && targetColumn && ownerColumn)
      return { ...base(spec, reference), junction: shape.name, ownerColumn, targetColumn };
  }
  throw new Error(`${spec.collection}.${reference.path}: no junction to ${reference.parent}`);
}

const base = (spec: CollectionSpec, reference: ReferenceSpec) => ({
  collection: spec.collection,
  path: reference.path,
  parent: reference.parent,
});

/**
 * The checks for every reference of `spec` to `parent` (all its references when omitted): a deferred
 * column, a deferred array (its junction), or a top-level reference whose column is named like its path.
 */
export function linkChecks(spec: CollectionSpec, parent?: string): LinkCheck[] {
  return spec.references
    .filter((reference) => parent === undefined || reference.parent === parent)
    .map((reference): LinkCheck => {
      if (reference.column) return { ...base(spec, reference), column: reference.column };
      if (reference.many && reference.deferred) return junctionTo(spec, reference);
      if (reference.many)
        throw new Error(`${spec.collection}.${reference.path}: child-table arrays unsupported`);
      return { ...base(spec, reference), column: columnOf(spec, reference.path) };
    });
}

/** Every deferred column reference of the registry (self references, a cycle's back edge). */
export const deferredColumnChecks = (): ColumnCheck[] =>
  REGISTRY.specs.flatMap((spec) =>
    spec.references.flatMap((reference) =>
      reference.deferred && reference.column ? [{ ...base(spec, reference), column: reference.column }] : [],
    ),
  );

/** legacy id ⇄ uuid of a collection's rows (tombstoned ones included: they still hold their uuid). */
async function rowIds(sql: Sql, collection: string) {
  const { quoted } = tableShape(REGISTRY.get(collection).table);
  const { rows } = await sql.query<{ legacy: string; id: string }>(
    `SELECT legacy_object_id AS legacy, id::text AS id FROM ${quoted}`,
  );
  return {
    uuidOf: new Map(rows.map((r) => [r.legacy, r.id])),
    legacyOf: new Map(rows.map((r) => [r.id, r.legacy])),
  };
}

async function sourceValues(source: MongoDb, check: LinkCheck): Promise<Map<string, unknown>> {
  const root = check.path.split('.')[0]!;
  const values = new Map<string, unknown>();
  for await (const doc of source.collection(check.collection).find({}, { projection: { [root]: 1 } }))
    values.set(legacyIdText(doc._id), at(doc, check.path));
  return values;
}

/** The owner's rows whose document exists: legacy id → uuid, plus the checked column when there is one. */
async function ownerRows(sql: Sql, check: LinkCheck) {
  const spec = REGISTRY.get(check.collection);
  const column = 'column' in check ? `"${check.column}"::text` : 'NULL';
  const { rows } = await sql.query<{ legacy: string; id: string; target: string | null }>(
    `SELECT legacy_object_id AS legacy, id::text AS id, ${column} AS target
       FROM ${tableShape(spec.table).quoted} ${await liveRowsWhere(sql, spec)}`,
  );
  return rows;
}

/**
 * Problems of one check, one line each (`collection/legacyId path: …`); empty when every link equals
 * its source. A row whose document is gone is the accounting's business and skipped here.
 */
export async function linkProblems(source: MongoDb, sql: Sql, check: LinkCheck): Promise<string[]> {
  const [values, owners, parents] = await Promise.all([
    sourceValues(source, check),
    ownerRows(sql, check),
    rowIds(sql, check.parent),
  ]);
  const name = (uuid: string) => parents.legacyOf.get(uuid) ?? `uuid ${uuid}`;
  const problems: string[] = [];
  if ('column' in check) {
    for (const owner of owners) {
      if (!values.has(owner.legacy)) continue;
      const wanted = referencedId(values.get(owner.legacy));
      const want = wanted === undefined ? null : (parents.uuidOf.get(wanted) ?? null);
      if (owner.target !== want)
        problems.push(
          `${check.collection}/${owner.legacy} ${check.path}: source ${wanted ?? 'none'}` +
            `${wanted !== undefined && want === null ? ' (no row)' : ''}, ${check.column} → ` +
            `${owner.target === null ? 'NULL' : name(owner.target)}`,
        );
    }
    return problems;
  }
  const { rows } = await sql.query<{ owner: string; target: string }>(
    `SELECT "${check.ownerColumn}"::text AS owner, "${check.targetColumn}"::text AS target FROM "${check.junction}"`,
  );
  const linked = new Map<string, Set<string>>();
  for (const row of rows) linked.set(row.owner, (linked.get(row.owner) ?? new Set()).add(row.target));
  for (const owner of owners) {
    if (!values.has(owner.legacy)) continue;
    const listed = values.get(owner.legacy);
    const want = new Set<string>();
    for (const element of Array.isArray(listed) ? listed : []) {
      const id = referencedId(element);
      const uuid = id === undefined ? undefined : parents.uuidOf.get(id);
      if (uuid !== undefined) want.add(uuid);
    }
    const have = linked.get(owner.id) ?? new Set<string>();
    for (const uuid of want)
      if (!have.has(uuid))
        problems.push(
          `${check.collection}/${owner.legacy} ${check.path}: lists ${name(uuid)}, no ${check.junction} row`,
        );
    for (const uuid of have)
      if (!want.has(uuid))
        problems.push(
          `${check.collection}/${owner.legacy} ${check.path}: ${check.junction} row to ${name(uuid)} the source does not list`,
        );
  }
  return problems;
}

/** Runs every check and returns all problems, at most `shown` per check (with a count of the rest). */
export async function allLinkProblems(
  source: MongoDb,
  sql: Sql,
  checks: readonly LinkCheck[],
  shown = 10,
): Promise<string[]> {
  const out: string[] = [];
  for (const check of checks) {
    const problems = await linkProblems(source, sql, check);
    out.push(...problems.slice(0, shown));
    if (problems.length > shown)
      out.push(`${check.collection}.${check.path}: …and ${problems.length - shown} more`);
  }
  return out;
}
