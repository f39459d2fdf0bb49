import type { JobDefinition } from './define.js';
import { chunkJob } from './backfill/chunk.js';
import { collectionJob } from './backfill/collection.js';
import { runJob } from './backfill/run.js';
import { gapDrainJob } from './gaps/drain.js';
import { deltaSweepJob } from './sweep/sweep.js';
import { auditJob } from './verify/audit.js';
import { verifyCollectionJob } from './verify/collection.js';
import { verifyRangeJob } from './verify/range.js';
import { scheduledVerificationJob } from './verify/scheduled.js';

/**
 * Every job the workers know, by name. Adding a job = one file under src/jobs/ + one line here.
 */
export const JOBS = [
  runJob,
  collectionJob,
  chunkJob,
  auditJob,
  verifyCollectionJob,
  verifyRangeJob,
  scheduledVerificationJob,
  gapDrainJob,
  deltaSweepJob,
] as const satisfies readonly JobDefinition[];

export type JobName = (typeof JOBS)[number]['name'];
