import { z } from 'zod';
import { completeRun } from '../../backfill/runState.js';
import { defineJob } from '../define.js';

/** The root of a run's flow: BullMQ runs it once every collection job has completed. */
export const runJob = defineJob({
  name: 'backfill.run',
  queue: 'backfill',
  payload: z.strictObject({ runId: z.uuid() }),
  async process({ runId }, deps) {
    await completeRun(deps.db.$client, runId);
    return { runId };
  },
});
