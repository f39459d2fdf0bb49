import { REGISTRY } from '../collections/registry.js';
import type { Db } from '../db/client.js';
import {
  changeMode,
  checkMoveRequest,
  type ChangeModeInput,
  type ChangeModeOptions,
  type ModeMove,
} from './changeMode.js';
import { directionOf, type CollectionMode } from './machine.js';
import { readAllModes } from './storage.js';

export interface ChangeAllOptions extends ChangeModeOptions {
  /**
   * Called after each collection's transaction commits, before the next one starts: the caller publishes
   * the change there, so readers follow each step. Must not throw.
   */
  onMoved?: (move: ModeMove) => Promise<void> | void;
}

export interface ChangeAllReport {
  to: CollectionMode;
  /** Every collection attempted, in the order they were moved (no-ops included, with changed: false). */
  moves: ModeMove[];
  /** The collection where it stopped, and why; null when every collection reached `to`. */
  stopped: { collection: string; error: Error } | null;
  /** Collections not attempted because it stopped first. */
  notAttempted: string[];
}

/**
 * The order `all` moves in, from the modes read before starting. Parents first going forward and
 * children first going back, so at every instant a parent is at least as far along as its children
 * (a child in pg writes rows whose parents Postgres must already be authoritative for). Back moves go
 * before forward moves; both halves keep that invariant.
 */
export function planAll(
  order: readonly string[],
  modes: ReadonlyMap<string, CollectionMode>,
  to: CollectionMode,
): string[] {
  const direction = (name: string) => directionOf(modes.get(name) ?? 'mongo', to);
  const back = order.filter((name) => direction(name) === 'back').reverse();
  const forward = order.filter((name) => direction(name) === 'forward');
  const same = order.filter((name) => direction(name) === 'same');
  return [...back, ...forward, ...same];
}

/**
 * `mode all <to>`: one transaction per collection, in planAll's order. The first refusal (a red gate, a
 * skipped step) or failure stops it there: what moved stays moved (each move is a valid state on its
 * own, and the parent-first order keeps the graph consistent), and the report names what moved, where
 * it stopped and what was not attempted. Re-running it after fixing the cause continues, since the
 * collections already in `to` are no-ops.
 */
export async function changeAllModes(
  db: Db,
  input: Omit<ChangeModeInput, 'collection'>,
  options: ChangeAllOptions = {},
): Promise<ChangeAllReport> {
  // Usage errors (unknown mode, --force without a reason) are thrown before anything moves.
  const { to } = checkMoveRequest(input);
  const plan = planAll(REGISTRY.order, await readAllModes(db), to);
  const report: ChangeAllReport = { to, moves: [], stopped: null, notAttempted: [] };
  for (const [i, collection] of plan.entries()) {
    let move: ModeMove;
    try {
      move = await changeMode(db, { ...input, collection }, options);
    } catch (error) {
      report.stopped = { collection, error: error instanceof Error ? error : new Error(String(error)) };
      report.notAttempted = plan.slice(i + 1);
      return report;
    }
    report.moves.push(move);
    if (move.changed) await options.onMoved?.(move);
  }
  return report;
}
