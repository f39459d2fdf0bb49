import type { ColumnDetail, MismatchKind } from './types.js';
import type { DocumentTuple } from './tuple.js';

export interface TupleDiff {
  readonly kind: MismatchKind;
  readonly columns: string[];
  readonly detail: Record<string, ColumnDetail>;
}

/**
 * The drill-down for one document whose sides differ. A document with a main-column difference is
 * `changed` (its child tables, if they differ too, are listed after the columns: one mismatch per
 * document, as verification_mismatches keys them); one whose main row agrees is `child_rows`.
 */
export function diffTuples(mongo: DocumentTuple, pg: DocumentTuple): TupleDiff | null {
  const columns: string[] = [];
  const detail: Record<string, ColumnDetail> = {};
  for (const column of new Set([...Object.keys(mongo.main), ...Object.keys(pg.main)])) {
    const m = mongo.main[column] ?? null;
    const p = pg.main[column] ?? null;
    if (m !== p) {
      columns.push(column);
      detail[column] = { mongo: m, pg: p };
    }
  }
  const mainDiffers = columns.length > 0;
  for (const table of new Set([...Object.keys(mongo.children), ...Object.keys(pg.children)])) {
    const m = mongo.children[table] ?? [];
    const p = pg.children[table] ?? [];
    if (m.length === p.length && m.every((row, i) => row === p[i])) continue;
    columns.push(table);
    // Only the rows each side has and the other lacks: the multiset difference is what a reader needs.
    detail[table] = { mongo: JSON.stringify(minus(m, p)), pg: JSON.stringify(minus(p, m)) };
  }
  if (columns.length === 0) return null;
  return { kind: mainDiffers ? 'changed' : 'child_rows', columns, detail };
}

function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const row of b) left.set(row, (left.get(row) ?? 0) + 1);
  return a.filter((row) => {
    const n = left.get(row) ?? 0;
    if (n === 0) return true;
    left.set(row, n - 1);
    return false;
  });
}
