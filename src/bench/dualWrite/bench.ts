import type { Config } from '../../config/env.js';
import { Cleanup } from '../cleanup.js';
import { killAllStranglerNow, stopAllStrangler } from '../processes.js';
import type { DualWriteResult } from './result.js';
import { measureDualWrite, type DualWriteOptions } from './run.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `strangler bench --dual-write`: the dual-write half alone, with the bench's own clean-up discipline
 * (child processes, databases and Redis keys removed on success, on error and on Ctrl-C).
 */
export async function runDualWriteBench(
  config: Config,
  options: DualWriteOptions,
): Promise<{ dualWrite: DualWriteResult }> {
  const cleanup = new Cleanup();
  cleanup.defer('stop child processes', () => stopAllStrangler());
  const onSignal = () => {
    say('bench: interrupted, cleaning up…');
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAllStranglerNow);
  try {
    return { dualWrite: await measureDualWrite(config, options, cleanup, say) };
  } finally {
    const failures = await cleanup.runAll();
    for (const failure of failures) say(`bench: cleanup failed: ${failure}`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', killAllStranglerNow);
  }
}
