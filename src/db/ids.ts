/**
 * Branded ids (STYLE.md §6): a legacy MongoDB `_id` rendered as text and a Postgres uuid are different
 * things that are both strings; the brand keeps one from being passed where the other belongs.
 */
declare const legacyIdBrand: unique symbol;
declare const pgUuidBrand: unique symbol;

/** A source document's `_id` as stored in `legacy_object_id`: 24-hex for ObjectIds, the raw key for string ids. */
export type LegacyId = string & { readonly [legacyIdBrand]: true };
/** A uuid allocated in Postgres (`id_map.new_id`, every table's `id`). */
export type PgUuid = string & { readonly [pgUuidBrand]: true };

export const asLegacyId = (value: string): LegacyId => value as LegacyId;
export const asPgUuid = (value: string): PgUuid => value as PgUuid;
