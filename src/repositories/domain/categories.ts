import type { DomainObject, Id } from './common.js';

export interface Category extends DomainObject {
  name: string;
  nameEn?: string;
  /** Unique. */
  slug?: string;
  /**
   * The parent category's id; null or absent for a root. A few legacy rows hold a stray string here
   * (data errors, plan §4.3): it is returned as stored.
   */
  parentId?: Id | null;
  isActive: boolean;
  sortOrder?: number;
  /** Set by delete: categories are soft-deleted, their rows stay for what references them. */
  deletedAt?: Date;
}

export type CategoryFields = Pick<Category, 'name' | 'nameEn' | 'slug' | 'isActive' | 'sortOrder'>;

export interface NewCategory extends Partial<CategoryFields> {
  name: string;
  /** A live (not deleted) category. @defaultValue none: a root */
  parentId?: Id | null;
}

/** The category tree. */
export interface ICategoryRepo {
  /** A missing or deleted parent is a NotFoundError; a taken slug a DomainRuleError. */
  create(input: NewCategory): Promise<Category>;
  /** Changes the fields given; the parent and the deletion mark move only through their own methods. */
  update(id: Id, fields: Partial<CategoryFields>): Promise<Category>;
  /** Soft-deletes (sets deletedAt); false when missing or already deleted. Its children stay as they are. */
  delete(id: Id): Promise<boolean>;
  /** Deleted categories included (their deletedAt says so): orders still name them. */
  findById(id: Id): Promise<Category | null>;
  /**
   * The live children of `parentId` (the roots for null), by sortOrder (none first), then oldest first.
   * @defaultValue activeOnly false
   */
  listChildren(parentId: Id | null, options?: { activeOnly?: boolean }): Promise<Category[]>;
}
