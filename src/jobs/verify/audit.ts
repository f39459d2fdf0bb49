import { z } from 'zod';
import { runAudit } from '../../audit/runAudit.js';
import { defineJob } from '../define.js';

/** The pre-migration audit (plan's closing warning) as a job: it reads all of Mongo, so it runs on a worker. */
export const auditJob = defineJob({
  name: 'verify.audit',
  queue: 'verify',
  payload: z.strictObject({ collections: z.union([z.literal('all'), z.array(z.string()).min(1)]) }),
  async process({ collections }, deps) {
    return runAudit(deps.mongo, deps.db.$client, collections);
  },
});
