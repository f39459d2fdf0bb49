import { getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** How a column's values are made comparable text, decided once per column from its Drizzle type. */
export type ValueKind = 'numeric' | 'timestamp' | 'json' | 'other';

const kindCache = new WeakMap<PgTable, Map<string, ValueKind>>();

/** property → value kind of every column of a table. */
export function valueKinds(table: PgTable): Map<string, ValueKind> {
  let kinds = kindCache.get(table);
  if (kinds) return kinds;
  kinds = new Map();
  for (const [prop, column] of Object.entries(getTableColumns(table))) {
    const type = column.columnType;
    kinds.set(
      prop,
      type === 'PgNumeric'
        ? 'numeric'
        : type === 'PgTimestamp' ||
            type === 'PgTimestampString' ||
            type === 'PgDate' ||
            type === 'PgDateString'
          ? 'timestamp'
          : type === 'PgJsonb' || type === 'PgJson'
            ? 'json'
            : 'other',
    );
  }
  kindCache.set(table, kinds);
  return kinds;
}

const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Exact decimal text without padding: Postgres pads numeric(38,18) to 18 places, the mapper does not.
 * String operations only, so a difference in the 18th decimal (1e-18) still shows.
 */
export function normaliseDecimal(text: string): string {
  const match = PLAIN_DECIMAL.exec(text.trim());
  if (!match) return text;
  const [, sign = '', whole = '', fraction = ''] = match;
  const integer = whole.replace(/^0+(?=\d)/, '');
  const decimals = fraction.replace(/0+$/, '');
  if (integer === '0' && decimals === '') return '0';
  return `${sign}${integer}${decimals ? `.${decimals}` : ''}`;
}

/** A plain object (a JSON object), not a Date, array or BSON value. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys(value[key])]),
  );
}

const bigintAsText = (_key: string, value: unknown): unknown =>
  typeof value === 'bigint' ? value.toString() : value;

/**
 * One value as comparable text, or null for SQL NULL. JSON goes through JSON.stringify first, exactly as
 * the writer sends it to jsonb (src/backfill/sql/tableShape.ts rowsToJson), then with keys sorted,
 * since jsonb keeps no key order.
 */
export function canonicalValue(value: unknown, kind: ValueKind): string | null {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'numeric':
      return normaliseDecimal(String(value));
    case 'timestamp': {
      const date = value instanceof Date ? value : new Date(String(value));
      return Number.isNaN(date.getTime()) ? `invalid date ${String(value)}` : date.toISOString();
    }
    case 'json': {
      const text = JSON.stringify(value, bigintAsText);
      return text === undefined ? null : JSON.stringify(sortedKeys(JSON.parse(text)));
    }
    case 'other':
      if (value instanceof Date) return value.toISOString();
      if (typeof value === 'object') return JSON.stringify(sortedKeys(value), bigintAsText);
      return String(value);
  }
}
