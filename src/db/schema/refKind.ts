import { getTableName, sql, type SQL } from 'drizzle-orm';
import { check, pgEnum, text, uuid, type AnyPgColumn, type PgColumn } from 'drizzle-orm/pg-core';
import type { PgUuid } from '../ids.js';

/**
 * What a Mixed reference held (docs/data-policy.md "Mixed references"). Every Mixed field becomes three
 * columns, `<x>_id` (typed FK), `<x>_external_ref` (text) and `<x>_ref_kind`, declared only through the
 * helpers below so that all of them read, constrain and index the same way.
 */
export const refKind = pgEnum('ref_kind', ['entity', 'template', 'external', 'dangling', 'none']);
export type RefKind = (typeof refKind.enumValues)[number];

/** `purchase_request` → `purchaseRequest`, at the type level (the Drizzle property prefix). */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

const camelCase = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function mixedBuilders(name: string, target: () => AnyPgColumn) {
  return {
    id: uuid(`${name}_id`).$type<PgUuid>().references(target),
    externalRef: text(`${name}_external_ref`),
    // No default: the discriminator is always written on purpose, and the CHECK holds it to the columns.
    refKind: refKind(`${name}_ref_kind`).notNull(),
  };
}
type MixedBuilders = ReturnType<typeof mixedBuilders>;

/** The three column builders of a Mixed field, keyed `<x>Id`, `<x>ExternalRef`, `<x>RefKind`. */
export type MixedRefColumns<N extends string> = { [K in `${CamelCase<N>}Id`]: MixedBuilders['id'] } & {
  [K in `${CamelCase<N>}ExternalRef`]: MixedBuilders['externalRef'];
} & { [K in `${CamelCase<N>}RefKind`]: MixedBuilders['refKind'] };

/** `...mixedRefColumns('purchase_request', () => purchaseRequests.id)` inside a pgTable column map. */
export function mixedRefColumns<const N extends string>(
  name: N,
  target: () => AnyPgColumn,
): MixedRefColumns<N> {
  const builders = mixedBuilders(name, target);
  const key = camelCase(name);
  return {
    [`${key}Id`]: builders.id,
    [`${key}ExternalRef`]: builders.externalRef,
    [`${key}RefKind`]: builders.refKind,
  } as MixedRefColumns<N>;
}

/** The built columns of a Mixed field, as a table's extra-config callback sees them. */
type MixedRefTable<N extends string> = Record<
  `${CamelCase<N>}Id` | `${CamelCase<N>}ExternalRef` | `${CamelCase<N>}RefKind`,
  PgColumn
>;

/**
 * The kind agrees with which column is set: `entity` ⇔ only the FK; `template`/`external`/`dangling` ⇔
 * only a non-empty external ref; `none` ⇔ neither. Every disjunct is NULL-free (`IS [NOT] NULL`, and the
 * kind is NOT NULL), so the CHECK cannot pass by evaluating to NULL. The empty string is excluded
 * because the mapper stores '' as `none`, which also makes '' a safe sentinel in mixedRefKey().
 */
export function mixedRefCheck<const N extends string>(t: MixedRefTable<N>, name: N) {
  const key = camelCase(name) as CamelCase<N>;
  const id = t[`${key}Id`];
  const ref = t[`${key}ExternalRef`];
  const kind = t[`${key}RefKind`];
  return check(
    `${getTableName(id.table)}_${name}_ref_ck`,
    sql`(${kind} = 'entity' AND ${id} IS NOT NULL AND ${ref} IS NULL)
      OR (${kind} IN ('template', 'external', 'dangling') AND ${id} IS NULL AND ${ref} IS NOT NULL AND ${ref} <> '')
      OR (${kind} = 'none' AND ${id} IS NULL AND ${ref} IS NULL)`,
  );
}

/** The nil uuid: never allocated by id_map (gen_random_uuid is v4), so it stands for "no FK" in a key. */
const NO_ID = '00000000-0000-0000-0000-000000000000';

/**
 * A Mixed field as the key of a unique index, equal to what Mongo keyed on (the raw value): the FK and
 * the external ref with their NULLs folded to sentinels, so that two `none` rows (Mongo: null = null)
 * collide and two templates collide only when the strings are equal. Needed where NULLS NOT DISTINCT is
 * not available: Drizzle 0.45 has it for unique constraints, not for (partial) unique indexes. Literal
 * column names, like the `.where()` of every partial index here.
 */
export function mixedRefKey(name: string): [SQL, SQL] {
  return [sql.raw(`coalesce(${name}_id, '${NO_ID}'::uuid)`), sql.raw(`coalesce(${name}_external_ref, '')`)];
}
