import { setTimeout as sleep } from 'node:timers/promises';
import { REGISTRY } from '../../collections/registry.js';
import type { Db } from '../../db/client.js';
import { changeAllModes } from '../../modes/changeAll.js';
import { COLLECTION_MODES, modeRank, routingOf, type CollectionMode } from '../../modes/machine.js';
import type { ModeReader } from '../../modes/reader.js';
import { readAllModes } from '../../modes/storage.js';
import { gapGates } from '../../modes/gates/index.js';

/**
 * Every collection to `to`, then the repositories' cached modes dropped, so the next call routes by the
 * new mode without waiting for a Redis message or the TTL. Forward goes one step at a time, as the
 * machine demands (mongo → dual → pg → decommissioned); back is one move to any earlier mode. A move
 * that changes the authoritative store (dual ↔ pg, pg → mongo) keeps routing calls by the previous
 * mode for the reader's `settleMs` (src/modes/settle.ts): that is waited out here (no traffic runs
 * meanwhile), so the next call goes by `to`. The caller clears the gates first: a move into pg needs no
 * open forward gap, one into decommissioned no open reverse gap.
 */
export async function setAllModes(db: Db, modes: ModeReader | null, to: CollectionMode): Promise<void> {
  const least = Math.min(...(await modesOfAll(db)).map(modeRank));
  const forward = COLLECTION_MODES.filter((m) => modeRank(m) > least && modeRank(m) <= modeRank(to));
  for (const step of forward.length > 0 ? forward : [to]) {
    const report = await changeAllModes(
      db,
      { to: step, actor: 'bench', reason: 'dual-write bench' },
      { gates: gapGates(db) },
    );
    if (report.stopped) {
      throw new Error(
        `bench: mode all ${step} stopped at ${report.stopped.collection}: ${report.stopped.error.message}`,
      );
    }
    const authorityChanged = report.moves.some(
      (move) => move.changed && routingOf(move.from).authoritative !== routingOf(move.to).authoritative,
    );
    if (modes && authorityChanged) await sleep(modes.settleMs);
    modes?.invalidate();
  }
}

/** Every registered collection's recorded mode (no row: `mongo`). */
async function modesOfAll(db: Db): Promise<CollectionMode[]> {
  const recorded = await readAllModes(db);
  return REGISTRY.order.map((collection) => recorded.get(collection) ?? 'mongo');
}
