import type pg from 'pg';
import type { LegacyId } from '../db/ids.js';
import type { Anomaly, CollectionSpec, UniqueFlagSpec } from '../collections/spec.js';
import type { Mapped } from './mapped.js';
import { quoteIdent, tableShape } from './sql/tableShape.js';

/** True when Postgres refused a row on one of the spec's once-per-scope flags. */
export function isUniqueFlagClash(spec: CollectionSpec, constraint: string | undefined): boolean {
  return constraint !== undefined && (spec.uniqueFlags ?? []).some((f) => f.constraint === constraint);
}

const demotion = (flag: string, scope: string, holder: LegacyId): Anomaly => ({
  code: 'demoted_flag',
  field: flag,
  message: `${flag} is true in MongoDB, but ${scope} already has an older holder ${holder}; migrated as false`,
});

/**
 * Settles each once-per-scope flag before the batch is written, the same way whatever the order in
 * which chunks run: per scope, the smallest legacy id among the live holders (stored rows and this
 * batch) keeps the flag; every other holder has it turned off and a `demoted_flag` anomaly. A tombstoned
 * row gives the flag up to a live one. Two chunks settling one scope at once clash on the unique index;
 * the loser's chunk is retried (src/backfill/writeDocuments.ts) and then sees the winner.
 */
export async function settleUniqueFlags(
  client: pg.ClientBase,
  spec: CollectionSpec,
  runId: string | null,
  batch: readonly Mapped[],
): Promise<Mapped[]> {
  let settled = [...batch];
  for (const flag of spec.uniqueFlags ?? []) settled = await settleFlag(client, spec, runId, flag, settled);
  return settled;
}

async function settleFlag(
  client: pg.ClientBase,
  spec: CollectionSpec,
  runId: string | null,
  flag: UniqueFlagSpec,
  batch: Mapped[],
): Promise<Mapped[]> {
  const holders = batch.filter((m) => m.result.row[flag.flag] === true && m.result.row[flag.scope] != null);
  if (holders.length === 0) return batch;
  const shape = tableShape(spec.table);
  const flagColumn = quoteIdent(shape.columnOf.get(flag.flag)!);
  const scopeColumn = quoteIdent(shape.columnOf.get(flag.scope)!);
  const { rows: stored } = await client.query<{ legacy_object_id: LegacyId; scope: string; live: boolean }>(
    `SELECT legacy_object_id, ${scopeColumn}::text AS scope, (source_deleted_at IS NULL AND rejected_at IS NULL) AS live
       FROM ${shape.quoted}
      WHERE ${flagColumn} AND ${scopeColumn}::text = ANY($1::text[])`,
    [[...new Set(holders.map((m) => String(m.result.row[flag.scope])))]],
  );
  const inBatch = new Set(batch.map((m) => m.legacyId));
  const winner = new Map<string, LegacyId>();
  const contend = (scope: string, id: LegacyId) => {
    const current = winner.get(scope);
    if (current === undefined || id < current) winner.set(scope, id);
  };
  for (const m of holders) contend(String(m.result.row[flag.scope]), m.legacyId);
  // A stored holder in this batch contends with what its document says now, not with its old row.
  for (const row of stored)
    if (row.live && !inBatch.has(row.legacy_object_id)) contend(row.scope, row.legacy_object_id);

  // Every stored holder that lost gives the flag up before the batch is written, in this batch or not:
  // the upsert inserts the winner and updates the losers in one statement, and its INSERT would still
  // see the old holder in the unique index.
  const demotedRows = stored.filter((r) => winner.get(r.scope) !== r.legacy_object_id);
  if (demotedRows.length > 0) {
    await client.query(
      `UPDATE ${shape.quoted} SET ${flagColumn} = false WHERE legacy_object_id = ANY($1::text[])`,
      [demotedRows.map((r) => r.legacy_object_id)],
    );
    const anomalies = demotedRows
      .filter((r) => r.live)
      .map((r) => ({
        collection: spec.collection,
        legacy_object_id: r.legacy_object_id,
        run_id: runId,
        ...demotion(flag.flag, `${flag.scope} ${r.scope}`, winner.get(r.scope)!),
      }));
    if (anomalies.length > 0) {
      await client.query(
        `INSERT INTO migration_anomalies (collection, legacy_object_id, code, field, message, run_id)
         SELECT collection, legacy_object_id, code, field, message, run_id
           FROM json_populate_recordset(NULL::migration_anomalies, $1::json)
         ON CONFLICT (collection, legacy_object_id, code, field) DO UPDATE SET message = EXCLUDED.message`,
        [JSON.stringify(anomalies)],
      );
    }
  }
  return batch.map((m) => {
    const scope = m.result.row[flag.scope];
    if (m.result.row[flag.flag] !== true || scope == null || winner.get(String(scope)) === m.legacyId)
      return m;
    const holder = winner.get(String(scope))!;
    return {
      ...m,
      result: {
        ...m.result,
        row: { ...m.result.row, [flag.flag]: false },
        anomalies: [
          ...(m.result.anomalies ?? []),
          demotion(flag.flag, `${flag.scope} ${String(scope)}`, holder),
        ],
      },
    };
  });
}
