import type { Db } from '../db/client.js';
import { assertNever, type CollectionMode } from './machine.js';

/**
 * The checks a forward move must pass (verification green, no open gaps, a clean shadow-read window…).
 * Only forward moves are gated; a back move is a rollback and is never held up by a check.
 */
export interface Gate {
  /** Stable name, shown in refusals and kept in the audit row, e.g. `verification`. */
  readonly name: string;
  readonly ok: boolean;
  /** What was measured, as JSON (a count, a status, a timestamp). */
  readonly value: GateValue;
}

export type GateValue = string | number | boolean | null;

/** Evaluates the gates of one forward move. It may read anything but must not write. */
export type GateProvider = (
  collection: string,
  from: CollectionMode,
  to: CollectionMode,
) => Promise<readonly Gate[]>;

/**
 * The gates in force, read from `db` (the verification issue adds verification, the shadow-read window
 * and the reference graph):
 * - into `pg`: no forward gap of the collection is open or dead (`forwardGaps`). Each is a MongoDB write
 *   Postgres does not have yet; once Postgres is authoritative, a write built on the row it left stale
 *   would be mirrored over it.
 * - into `decommissioned`: no reverse gap is open or dead (`reverseGaps`). Each is a Postgres commit
 *   MongoDB does not have; with the mirror stopped, nothing would ever write it there, and a way back
 *   would start from a MongoDB missing it.
 * Gaps still in the MongoDB fallback store are moved into the table by the drain; they are not counted.
 */
export function gapGates(db: Db): GateProvider {
  return async (collection, _from, to) => {
    switch (to) {
      case 'pg':
        return [await unsettledGapsGate(db, collection, 'forward')];
      case 'decommissioned':
        return [await unsettledGapsGate(db, collection, 'reverse')];
      case 'mongo':
      case 'dual':
        return [];
      default:
        return assertNever(to, 'collection mode');
    }
  };
}

async function unsettledGapsGate(
  db: Db,
  collection: string,
  direction: 'forward' | 'reverse',
): Promise<Gate> {
  const { rows } = await db.$client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_dualwrite_gaps
      WHERE collection = $1 AND direction = $2 AND status IN ('open', 'dead')`,
    [collection, direction],
  );
  const n = rows[0]?.n ?? 0;
  return { name: `${direction}Gaps`, ok: n === 0, value: n };
}

export const redGates = (gates: readonly Gate[]): Gate[] => gates.filter((gate) => !gate.ok);

/** The audit row's `gates` column: name → { ok, value }. */
export type GateRecord = Record<string, { ok: boolean; value: GateValue }>;

export function gateRecord(gates: readonly Gate[]): GateRecord {
  return Object.fromEntries(gates.map((gate) => [gate.name, { ok: gate.ok, value: gate.value }]));
}
