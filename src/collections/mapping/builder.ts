import type { PgUuid } from '../../db/ids.js';
import type { Anomaly, AnomalyCode, LegacyDoc, MapContext, MapResult, PendingLink, Reject } from '../spec.js';
import { readArray, type ArrayElement } from './arrays.js';
import { legacyExtra, type Shape } from './extra.js';
import { isFieldReject, type Read } from './reject.js';
import { requiredString } from './scalars.js';
import { readTimestamps } from './timestamps.js';
import { pendingLink, resolveOptional, resolveRequired, type ReferenceField } from './resolve.js';

/**
 * Collects what mapping one document produces, so a mapper reads as a list of columns instead of a
 * ladder of `if (rejected) return`. The FIRST reject wins (one reason per reject row); after it, readers
 * return placeholders and `finish()` returns the reject instead of the row.
 */
export class MapBuilder {
  private rejected: Reject | undefined;
  private readonly anomalies: Anomaly[] = [];
  private readonly links: PendingLink[] = [];

  constructor(private readonly ctx: MapContext) {}

  /** The value of a reader, or `fallback` (a placeholder the discarded row never shows) on a reject. */
  read<T>(result: Read<T>, fallback: T): T;
  read<T>(result: Read<T>): T | undefined;
  read<T>(result: Read<T>, fallback?: T): T | undefined {
    if (!isFieldReject(result)) return result;
    this.rejected ??= { reject: result.reject, message: result.message, field: result.field };
    return fallback;
  }

  requiredRef(value: unknown, ref: ReferenceField): PgUuid | undefined {
    return this.read(resolveRequired(this.ctx, value, ref));
  }

  optionalRef(value: unknown, ref: ReferenceField): PgUuid | null {
    const resolved = this.read(resolveOptional(this.ctx, value, ref), { id: null });
    if (resolved.anomaly) this.anomalies.push(resolved.anomaly);
    return resolved.id;
  }

  /** A deferred reference: recorded as a link for the link pass; the column stays out of the row. */
  deferredRef(value: unknown, ref: ReferenceField & { readonly column: string }): void {
    const link = this.read(pendingLink(value, ref), null);
    if (link) this.links.push(link);
  }

  anomaly(code: AnomalyCode, field: string, message: string): void {
    this.anomalies.push({ code, field, message });
  }

  /** An array's non-null elements (null when the field is absent/null); null elements become anomalies. */
  array(value: unknown, field: string): readonly ArrayElement[] | null {
    const read = this.read(readArray(value, field), null);
    if (read === null) return null;
    for (const ordinal of read.nullOrdinals) {
      this.anomaly('null_array_element', `${field}.${ordinal}`, `${field}[${ordinal}] is null; skipped`);
    }
    return read.elements;
  }

  /** An array of strings for a text[] column; a non-string element rejects the document. */
  stringArray(value: unknown, field: string): string[] | null {
    const elements = this.array(value, field);
    if (elements === null) return null;
    return elements.map(({ ordinal, value: item }) =>
      this.read(requiredString(item, `${field}.${ordinal}`), ''),
    );
  }

  /**
   * The columns every main table shares besides the engine's: `legacyExtra` (fields outside `shape`)
   * and the timestamps, copied as found.
   */
  commonColumns(
    doc: LegacyDoc,
    shape: Shape,
  ): { legacyExtra: unknown; createdAt: Date | null; updatedAt: Date | null } {
    const { createdAt, updatedAt } = this.read(readTimestamps(doc), { createdAt: null, updatedAt: null });
    return { legacyExtra: this.read(legacyExtra(doc, shape), null), createdAt, updatedAt };
  }

  finish(
    row: Record<string, unknown>,
    children?: Record<string, readonly Record<string, unknown>[]>,
  ): MapResult {
    if (this.rejected) return this.rejected;
    return {
      row,
      ...(children ? { children } : {}),
      ...(this.links.length > 0 ? { links: this.links } : {}),
      ...(this.anomalies.length > 0 ? { anomalies: this.anomalies } : {}),
    };
  }
}
