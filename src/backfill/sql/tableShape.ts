import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { isoTimestamp } from './isoTimestamp.js';

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
    for (const prop in row) {
      const column = shape.columnOf.get(prop);
      if (!column) throw new Error(`${shape.name} has no column for property "${prop}"`);
      columns.add(column);
      const value = row[prop];
      // Spelled here rather than by JSON.stringify: a bigint would make it throw, and a Date's toJSON
      // costs more than the rest of the row (./isoTimestamp.ts; ISO 8601 with Z: timestamptz exact).
      record[column] =
        typeof value === 'bigint' ? value.toString() : value instanceof Date ? isoTimestamp(value) : value;
    }
    return record;
  });
  return { json: stringify(out), columns: [...columns] };
}

/**
 * JSON text of the rows. A replacer sends JSON.stringify down its slow path for every value, several
 * times the cost of the whole write on the worker, so it is used only for a bigint nested in a json
 * value (top-level ones are converted above), which plain JSON.stringify refuses with a TypeError.
 */
function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, bigintAsText);
  }
}

function bigintAsText(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return value; // Date has toJSON (ISO 8601 with Z), which timestamptz parses exactly.
}
