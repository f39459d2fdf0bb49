import type { Table } from 'drizzle-orm';

/** Columns the engine fills in itself (spec.ts `MappedDocument.row`). */
type EngineColumns =
  'id' | 'legacyObjectId' | 'sourceUpdatedAt' | 'sourceReadAt' | 'sourceDeletedAt' | 'rejectedAt';

/**
 * The row a mapper returns for a main table: EVERY column except the engine's and the deferred ones,
 * so forgetting a column is a compile error (an upsert that omits a column would keep a stale value
 * after a field is `$unset`). `undefined` is allowed only as the placeholder of a rejected document.
 */
export type MainRow<T extends Table, Deferred extends string = never> = {
  -readonly [K in Exclude<keyof T['$inferInsert'], EngineColumns | Deferred>]-?:
    T['$inferInsert'][K] | undefined;
};

/** A child table row: every column except its serial `id` and the owner column the engine adds. */
export type ChildRow<T extends Table, Owner extends string> = {
  -readonly [K in Exclude<keyof T['$inferInsert'], 'id' | Owner>]-?: T['$inferInsert'][K] | undefined;
};
