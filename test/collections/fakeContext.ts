import { ObjectId } from 'bson';
import { asLegacyId, asPgUuid, type PgUuid } from '../../src/db/ids.js';
import type { MapContext } from '../../src/collections/spec.js';

/**
 * The documented MapContext interface over a Map (what the engine's batched id_map lookup produces):
 * not a mock of a component, just the answers a chunk would have prefetched.
 */
export class FakeContext implements MapContext {
  private readonly known = new Map<string, PgUuid>();
  private next = 1;

  /** Registers a parent document and returns the uuid the context will answer for it. */
  add(parent: string, legacyId: string | ObjectId): PgUuid {
    const id = asPgUuid(`00000000-0000-4000-8000-${(this.next++).toString(16).padStart(12, '0')}`);
    const key = typeof legacyId === 'string' ? legacyId : legacyId.toHexString();
    this.known.set(`${parent}\u0000${asLegacyId(key)}`, id);
    return id;
  }

  resolve(parent: string, legacyId: string): PgUuid | undefined {
    return this.known.get(`${parent}\u0000${legacyId}`);
  }
}

/** A fixed ObjectId per label, so expectations can name it. */
export const oid = (n: number): ObjectId => new ObjectId(n.toString(16).padStart(24, '0'));

export const T0 = new Date('2024-03-01T10:00:00.000Z');
export const T1 = new Date('2024-05-02T12:30:00.000Z');
