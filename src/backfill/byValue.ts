import type pg from 'pg';
import { REGISTRY } from '../collections/registry.js';
import type { CollectionSpec, LegacyDoc, Reject } from '../collections/spec.js';
import { valuesAt } from './references.js';
import { quoteIdent, tableShape } from './sql/tableShape.js';

/**
 * References by value (users.level → level_configs.level) are enforced by their FK; checking them here,
 * with one query per reference for the whole chunk, turns the refusals into readable rejects up front
 * instead of costing the chunk a bisection. Returns the reject of each document that names a missing value.
 */
export async function checkValueReferences(
  client: pg.ClientBase,
  spec: CollectionSpec,
  docs: readonly LegacyDoc[],
): Promise<Map<LegacyDoc, Reject>> {
  const refused = new Map<LegacyDoc, Reject>();
  for (const ref of spec.references) {
    if (!ref.byValue) continue;
    const parentTable = tableShape(REGISTRY.get(ref.parent).table).quoted;
    const wanted = new Set<string>();
    for (const doc of docs)
      for (const value of valuesAt(doc, ref.path)) if (value != null) wanted.add(String(value));
    if (wanted.size === 0) continue;
    const column = quoteIdent(ref.byValue.column);
    const { rows } = await client.query<{ v: string }>(
      `SELECT ${column}::text AS v FROM ${parentTable} WHERE ${column}::text = ANY($1::text[])`,
      [[...wanted]],
    );
    const present = new Set(rows.map((r) => r.v));
    for (const doc of docs) {
      const missing = valuesAt(doc, ref.path).find((value) => value != null && !present.has(String(value)));
      if (missing !== undefined && !refused.has(doc)) {
        refused.set(doc, {
          reject: 'orphan_reference',
          field: ref.path,
          message: `${ref.path} ${String(missing)} has no ${ref.parent} row with ${ref.byValue.column} = ${String(missing)}`,
        });
      }
    }
  }
  return refused;
}
