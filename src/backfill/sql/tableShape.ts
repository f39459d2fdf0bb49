import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';

/** A Drizzle table reduced to what the bulk SQL needs: its quoted name and property → column names. */
export interface TableShape {
  readonly name: string;
  readonly quoted: string;
  readonly columnOf: ReadonlyMap<string, string>;
}

const shapes = new WeakMap<PgTable, TableShape>();

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function tableShape(table: PgTable): TableShape {
  let shape = shapes.get(table);
  if (!shape) {
    const { name, schema } = getTableConfig(table);
    const columnOf = new Map(
      Object.entries(getTableColumns(table)).map(([prop, column]) => [prop, column.name]),
    );
    shape = {
      name,
      quoted: schema ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name),
      columnOf,
    };
    shapes.set(table, shape);
  }
  return shape;
}

/**
 * Rows keyed by Drizzle property names → one JSON text keyed by column names, for
 * `json_populate_recordset`: one bind parameter for the whole batch (no 65,535-parameter ceiling), typed
 * by the table itself (enums, arrays, numeric from text, so money stays exact).
 */
export function rowsToJson(
  shape: TableShape,
  rows: readonly Record<string, unknown>[],
): { json: string; columns: string[] } {
  const columns = new Set<string>();
  const out = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [prop, value] of Object.entries(row)) {
      const column = shape.columnOf.get(prop);
      if (!column) throw new Error(`${shape.name} has no column for property "${prop}"`);
      columns.add(column);
      record[column] = value;
    }
    return record;
  });
  return { json: JSON.stringify(out, jsonReplacer), columns: [...columns] };
}

function jsonReplacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return value; // Date has toJSON (ISO 8601 with Z), which timestamptz parses exactly.
}
