/**
 * What every repository speaks, whichever store answers (MongoDB today, Postgres with the pg-mode issue).
 *
 * - An `Id` is the document's legacy id: the 24-hex of its ObjectId (or its string `_id`). Postgres
 *   rows carry it as `legacy_object_id`, so the same id works in every mode.
 * - Money is an exact decimal string (`"12.50"`): never a float, whatever MongoDB stored it as.
 * - A domain object is plain data plus a `toJSON()` that drops what must never leave the process.
 */
export type Id = string;

export interface Money {
  /** An exact decimal, e.g. "1250.000000". */
  value: string;
  currency: string;
}

/** Every domain object: its id and timestamps, and the `toJSON()` a service sends out. */
export interface DomainObject {
  id: Id;
  createdAt?: Date;
  updatedAt?: Date;
  toJSON(): Record<string, unknown>;
}

/** A page of a list read: newest first unless a repository says otherwise. */
export interface Page {
  limit?: number;
  /** Documents to skip. */
  offset?: number;
}

/** A write that names a document that is not there. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    readonly collection: string,
    readonly id: Id,
  ) {
    super(`${collection} ${id} not found`);
  }
}

/** A write refused by the domain's own rules (an offer that is not open, a revoked token…). */
export class DomainRuleError extends Error {
  override readonly name = 'DomainRuleError';
  constructor(
    readonly collection: string,
    readonly id: Id | null,
    message: string,
  ) {
    super(`${collection}${id ? ` ${id}` : ''}: ${message}`);
  }
}
