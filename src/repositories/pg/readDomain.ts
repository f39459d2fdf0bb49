import { BSON } from 'bson';
import type pg from 'pg';
import { REGISTRY } from '../../collections/registry.js';
import type { LegacyId } from '../../db/ids.js';
import { readStoredDocuments } from '../../reverse/readStored.js';
import type { DomainObject } from '../domain/common.js';
import { toDomain } from '../mongo/toDomain.js';

/**
 * The domain objects of some documents as Postgres holds them, in the order of `legacyIds`: the rows
 * read by readStoredDocuments (foreign keys as legacy ids), the document rebuilt by the spec's own
 * `unmap`, then the very `toDomain` the Mongo repositories use, so both stores answer the same object
 * for the same data. Absent and tombstoned documents (their document left MongoDB or no longer maps)
 * are left out, as MongoDB would not find them.
 */
export async function readDomainObjects<T extends DomainObject>(
  client: pg.ClientBase,
  collection: string,
  legacyIds: readonly LegacyId[],
  privateFields: readonly string[] = [],
): Promise<T[]> {
  const spec = REGISTRY.get(collection);
  if (!spec.unmap) throw new Error(`${collection} has no reverse mapping (spec.unmap)`);
  const stored = await readStoredDocuments(client, spec, legacyIds);
  const out: T[] = [];
  for (const legacyId of legacyIds) {
    const one = stored.documents.get(legacyId);
    if (!one || one.tombstoned) continue;
    out.push(toDomain<T>(asDriverReads(spec.unmap(one, stored.legacyIdOf)), privateFields));
  }
  return out;
}

/** One document's domain object, or null when Postgres holds no live row for it. */
export async function readDomainObject<T extends DomainObject>(
  client: pg.ClientBase,
  collection: string,
  legacyId: LegacyId,
  privateFields: readonly string[] = [],
): Promise<T | null> {
  const [found] = await readDomainObjects<T>(client, collection, [legacyId], privateFields);
  return found ?? null;
}

/**
 * The unmapped document as the driver hands a lean read back: legacy_extra is canonical EJSON, so its
 * numbers unmap as BSON Int32/Double/Long (kept so a mirror writes MongoDB the same types), where a Mongo
 * repository's read has them promoted to JS numbers. A BSON round trip promotes exactly as the driver does.
 */
export function asDriverReads<T extends Record<string, unknown>>(document: T): T {
  return BSON.deserialize(BSON.serialize(document, { ignoreUndefined: true })) as T;
}
