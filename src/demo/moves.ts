import { REGISTRY } from '../collections/registry.js';
import type { Db } from '../db/client.js';
import { changeMode, type ModeMove } from '../modes/changeMode.js';
import { cutoverGates, type CutoverPolicy } from '../modes/gates/index.js';
import type { CollectionMode } from '../modes/machine.js';
import type { ModeNotifier } from '../modes/notify.js';
import { say } from './steps.js';

/**
 * The demo's cutover policy: the production gates, with the windows shrunk to seconds so the whole
 * lifecycle fits in a few minutes. The demo's board runs with the same values (its console shows the
 * gates the demo's moves pass). Nothing is forced: a red gate stops the demo, as it would an operator.
 */
export const DEMO_WINDOWS = { CUTOVER_SHADOW_WINDOW_MS: 3_000, CUTOVER_SOAK_MS: 3_000 } as const;

/** The ledger and payments, and every collection they reference, transitively, parents first. */
export function moneyCore(): string[] {
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const parent of REGISTRY.graph.parents.get(name) ?? []) visit(parent);
  };
  for (const root of ['payments', 'fundsledgerentries']) visit(root);
  return REGISTRY.order.filter((name) => wanted.has(name));
}

/**
 * Moves `collections` to `to` one at a time (parents first forward, children first back), through the
 * same changeMode as the CLI and the API, and tells running processes at once.
 */
export async function moveAll(
  db: Db,
  policy: CutoverPolicy,
  notifier: ModeNotifier,
  collections: readonly string[],
  to: CollectionMode,
  reason: string,
  forward: boolean,
): Promise<ModeMove[]> {
  const moves: ModeMove[] = [];
  const ordered = forward ? collections : [...collections].reverse();
  for (const collection of ordered) {
    const move = await changeMode(
      db,
      { collection, to, actor: 'demo', reason },
      { gates: cutoverGates(db, policy) },
    );
    if (move.changed) await notifier.notify(move);
    moves.push(move);
  }
  const changed = moves.filter((m) => m.changed);
  say(
    `${changed.length} collections moved to ${to}${changed.length ? `: ${changed.map((m) => m.collection).join(', ')}` : ''}`,
  );
  return moves;
}
