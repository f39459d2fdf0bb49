import { and, eq, isNull } from 'drizzle-orm';
import { asLegacyId, type LegacyId, type PgUuid } from '../../db/ids.js';
import { categories } from '../../db/schema/index.js';
import type { Category, CategoryFields, ICategoryRepo, NewCategory } from '../domain/categories.js';
import { DomainRuleError, NotFoundError, type Id } from '../domain/common.js';
import { claimDocuments } from './claimDocuments.js';
import type { PgContext } from './context.js';
import { newIdentity } from './newIdentity.js';
import { readDomainObject, readDomainObjects } from './readDomain.js';
import { inReadSnapshot, withClient } from './reads.js';
import { inWriteTransaction, type WriteTransaction } from './transaction.js';
import { guardStamp, writeInstant } from './writeInstant.js';

const COLLECTION = 'categories';
const SLUG_INDEX = 'categories_slug_uq';

type FieldColumns = {
  name?: string;
  nameEn?: string;
  slug?: string;
  isActive?: boolean;
  sortOrder?: number;
};

/** The declared fields given; an undefined one is left as it is (Mongoose drops undefined from $set). */
function fieldsOf(input: Partial<CategoryFields>): FieldColumns {
  const out: FieldColumns = {};
  if (input.name !== undefined) out.name = input.name;
  if (input.nameEn !== undefined) out.nameEn = input.nameEn;
  if (input.slug !== undefined) out.slug = input.slug;
  if (input.isActive !== undefined) out.isActive = input.isActive;
  if (input.sortOrder !== undefined) out.sortOrder = input.sortOrder;
  return out;
}

const live = and(isNull(categories.sourceDeletedAt), isNull(categories.rejectedAt));
const isObjectIdHex = (value: string) => /^[0-9a-f]{24}$/i.test(value);

/** A taken slug, as MongoCategoryRepo answers it (refuseDuplicate): a DomainRuleError. */
function refuseDuplicate(id: Id | null, error: unknown): never {
  // Drizzle wraps the driver's error (DrizzleQueryError): the SQLSTATE is on its cause.
  const { code, constraint } = ((error as { cause?: unknown }).cause ?? error) as {
    code?: string;
    constraint?: string;
  };
  if (code === '23505' && constraint === SLUG_INDEX)
    throw new DomainRuleError(COLLECTION, id, 'slug already taken');
  throw error;
}

/**
 * Categories with Postgres authoritative. The tree's parent is a foreign key (parent_id), so only a live,
 * not soft-deleted category can be a parent; it is locked FOR SHARE while its child is created, so a
 * concurrent delete of the parent waits for the child (and then deletes a parent that has one, as in
 * MongoDB). Deletion is the legacy soft delete. Each write is ONE transaction that notes and locks its
 * one document before its row.
 */
export class DrizzleCategoryRepo implements ICategoryRepo {
  constructor(private readonly ctx: PgContext) {}

  async create(input: NewCategory): Promise<Category> {
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      let parentId: PgUuid | null = null;
      if (input.parentId !== undefined && input.parentId !== null) {
        // MongoDB holds a non-id string as a stray parent no category has: Postgres cannot reference it.
        const parent = isObjectIdHex(input.parentId)
          ? await tx.client.query<{ id: PgUuid }>(
              `SELECT id FROM categories
                WHERE legacy_object_id = $1 AND deleted_at IS NULL
                  AND source_deleted_at IS NULL AND rejected_at IS NULL
                FOR SHARE`,
              [input.parentId.toLowerCase()],
            )
          : undefined;
        const found = parent?.rows[0]?.id;
        if (!found) throw new NotFoundError(COLLECTION, String(input.parentId));
        parentId = found;
      }
      const { legacyId, uuid } = await newIdentity(tx.client, COLLECTION);
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const at = await writeInstant(tx.client);
      try {
        await tx.db.insert(categories).values({
          isActive: true,
          ...fieldsOf(input),
          name: input.name,
          id: uuid,
          legacyObjectId: legacyId,
          parentId,
          createdAt: at,
          updatedAt: at,
          sourceUpdatedAt: at,
          sourceReadAt: guardStamp(),
        });
      } catch (error) {
        refuseDuplicate(null, error);
      }
      return this.#read(tx, legacyId);
    });
  }

  async update(id: Id, fields: Partial<CategoryFields>): Promise<Category> {
    const legacyId = asLegacyId(id);
    // fieldsOf takes only CategoryFields: a caller's cast moves neither the tree nor the deletion mark.
    const set = fieldsOf(fields);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const at = await writeInstant(tx.client);
      let updated: { id: PgUuid }[] = [];
      try {
        // A soft-deleted category is updated too, as findByIdAndUpdate finds it.
        updated = await tx.db
          .update(categories)
          .set({ ...set, updatedAt: at, sourceUpdatedAt: at, sourceReadAt: guardStamp() })
          .where(and(eq(categories.legacyObjectId, legacyId), live))
          .returning({ id: categories.id });
      } catch (error) {
        refuseDuplicate(id, error);
      }
      if (updated.length === 0) throw new NotFoundError(COLLECTION, id);
      return this.#read(tx, legacyId);
    });
  }

  async delete(id: Id): Promise<boolean> {
    const legacyId = asLegacyId(id);
    return inWriteTransaction(this.ctx.pool, async (tx) => {
      await claimDocuments(tx.client, COLLECTION, [{ legacyId }]);
      const at = await writeInstant(tx.client);
      // Conditional on not being deleted yet: a second delete keeps the first one's time.
      const updated = await tx.db
        .update(categories)
        .set({ deletedAt: at, updatedAt: at, sourceUpdatedAt: at, sourceReadAt: guardStamp() })
        .where(and(eq(categories.legacyObjectId, legacyId), isNull(categories.deletedAt), live))
        .returning({ id: categories.id });
      return updated.length === 1;
    });
  }

  async findById(id: Id): Promise<Category | null> {
    return withClient(this.ctx.pool, (client) =>
      readDomainObject<Category>(client, COLLECTION, asLegacyId(id)),
    );
  }

  async listChildren(parentId: Id | null, options: { activeOnly?: boolean } = {}): Promise<Category[]> {
    // A stray non-id parent string names no row Postgres can hold as a parent: no children.
    if (parentId !== null && !isObjectIdHex(parentId)) return [];
    return inReadSnapshot(this.ctx.pool, async (client) => {
      // MongoDB's order: sortOrder ascending with none first, then _id (24-hex, bytewise: COLLATE "C").
      const { rows } = await client.query<{ legacy_object_id: LegacyId }>(
        `SELECT c.legacy_object_id FROM categories c
          WHERE ${
            parentId === null
              ? 'c.parent_id IS NULL'
              : 'c.parent_id = (SELECT p.id FROM categories p WHERE p.legacy_object_id = $1)'
          }
            AND c.deleted_at IS NULL AND c.source_deleted_at IS NULL AND c.rejected_at IS NULL
            ${options.activeOnly ? 'AND c.is_active' : ''}
          ORDER BY c.sort_order ASC NULLS FIRST, c.legacy_object_id COLLATE "C"`,
        parentId === null ? [] : [parentId.toLowerCase()],
      );
      return readDomainObjects<Category>(
        client,
        COLLECTION,
        rows.map((r) => r.legacy_object_id),
      );
    });
  }

  /** The domain object of a document this transaction just wrote (it is live: the write succeeded). */
  async #read(tx: WriteTransaction, legacyId: LegacyId): Promise<Category> {
    const found = await readDomainObject<Category>(tx.client, COLLECTION, legacyId);
    if (!found)
      throw new Error(`${COLLECTION} ${legacyId}: written but not readable in the same transaction`);
    return found;
  }
}
