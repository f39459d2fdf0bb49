import type { CollectionMode } from '../machine.js';

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

export const redGates = (gates: readonly Gate[]): Gate[] => gates.filter((gate) => !gate.ok);

/** The audit row's `gates` column: name → { ok, value }. */
export type GateRecord = Record<string, { ok: boolean; value: GateValue }>;

export function gateRecord(gates: readonly Gate[]): GateRecord {
  return Object.fromEntries(gates.map((gate) => [gate.name, { ok: gate.ok, value: gate.value }]));
}
