import type { Db } from '../../db/client.js';
import { changeAllModes } from '../../modes/changeAll.js';
import type { ModeReader } from '../../modes/reader.js';

/**
 * Every collection to `to` (mongo ↔ dual), then the repositories' cached modes dropped, so the next
 * call routes by the new mode without waiting for a Redis message or the TTL.
 */
export async function setAllModes(db: Db, modes: ModeReader | null, to: 'mongo' | 'dual'): Promise<void> {
  const report = await changeAllModes(db, { to, actor: 'bench', reason: 'dual-write bench' });
  if (report.stopped) {
    throw new Error(
      `bench: mode all ${to} stopped at ${report.stopped.collection}: ${report.stopped.error.message}`,
    );
  }
  modes?.invalidate();
}
