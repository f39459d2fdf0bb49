import type pg from 'pg';
import { quoteIdent, tableShape } from '../backfill/sql/tableShape.js';
import type { CollectionSpec, UniqueFlagSpec } from '../collections/spec.js';
import type { LegacyId } from '../db/ids.js';

export interface MappedRow {
  readonly legacyId: LegacyId;
  readonly row: Record<string, unknown>;
}

/**
 * The once-per-scope flags as the writer settles them (src/backfill/uniqueFlags.ts), read-only: per
 * scope the smallest legacy id among the live holders keeps the flag, so a document whose mapping says
 * `primary: true` but lost to an older holder is expected with it off, not reported as changed.
 */
export async function expectedUniqueFlags(
  client: pg.ClientBase,
  spec: CollectionSpec,
  batch: readonly MappedRow[],
): Promise<MappedRow[]> {
  let settled = [...batch];
  for (const flag of spec.uniqueFlags ?? []) settled = await settleFlag(client, spec, flag, settled);
  return settled;
}

async function settleFlag(
  client: pg.ClientBase,
  spec: CollectionSpec,
  flag: UniqueFlagSpec,
  batch: MappedRow[],
): Promise<MappedRow[]> {
  const holders = batch.filter((m) => m.row[flag.flag] === true && m.row[flag.scope] != null);
  if (holders.length === 0) return batch;
  const shape = tableShape(spec.table);
  const flagColumn = quoteIdent(shape.columnOf.get(flag.flag)!);
  const scopeColumn = quoteIdent(shape.columnOf.get(flag.scope)!);
  const { rows: stored } = await client.query<{ legacy_object_id: LegacyId; scope: string }>(
    `SELECT legacy_object_id, ${scopeColumn}::text AS scope FROM ${shape.quoted}
      WHERE ${flagColumn} AND source_deleted_at IS NULL AND rejected_at IS NULL
        AND ${scopeColumn}::text = ANY($1::text[])`,
    [[...new Set(holders.map((m) => String(m.row[flag.scope])))]],
  );
  const inBatch = new Set(batch.map((m) => m.legacyId));
  const winner = new Map<string, LegacyId>();
  const contend = (scope: string, id: LegacyId) => {
    const current = winner.get(scope);
    if (current === undefined || id < current) winner.set(scope, id);
  };
  for (const m of holders) contend(String(m.row[flag.scope]), m.legacyId);
  for (const row of stored) if (!inBatch.has(row.legacy_object_id)) contend(row.scope, row.legacy_object_id);
  return batch.map((m) => {
    const scope = m.row[flag.scope];
    if (m.row[flag.flag] !== true || scope == null || winner.get(String(scope)) === m.legacyId) return m;
    return { ...m, row: { ...m.row, [flag.flag]: false } };
  });
}
