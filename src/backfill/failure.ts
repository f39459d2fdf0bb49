import { Job, UnrecoverableError, type Queue } from 'bullmq';
import { z } from 'zod';
import type { WorkerDeps } from '../workers/deps.js';
import { deploymentSchema, sameDeployment } from '../workers/identity.js';
import { parseBackfillJobId } from './jobIds.js';
import { failCollection, failRun } from './runState.js';
import { promoteCollections } from './promote.js';

type FailureDeps = Pick<WorkerDeps, 'db' | 'queues' | 'deployment'>;

/**
 * Runs a job step; when it throws on the job's last attempt, records the collection as failed (and its
 * dependants as blocked) before BullMQ fails the job and, through failParentOnFailure, the run.
 */
export async function failWhenExhausted<T>(
  deps: FailureDeps,
  job: Job,
  runId: string,
  collection: string,
  step: () => Promise<T>,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const attempts = job.opts.attempts ?? 1;
    if (error instanceof UnrecoverableError || job.attemptsMade + 1 >= attempts) {
      const message = error instanceof Error ? error.message : String(error);
      await recordCollectionFailure(deps, runId, collection, message).catch(() => undefined);
    }
    throw error;
  }
}

async function recordCollectionFailure(
  deps: FailureDeps,
  runId: string,
  collection: string,
  message: string,
): Promise<void> {
  const blocked = await failCollection(deps.db.$client, runId, collection, message);
  // Blocked jobs are released only so that each fails visibly on the board with its reason.
  await promoteCollections(deps.queues.backfill, deps.deployment, runId, blocked);
}

/** How failParentOnFailure words a parent's failure: `child <prefix>:<queue>:<job id> failed`. */
const CHILD_FAILED = /^child (.+) failed$/;

/**
 * The failed descendant a parent's failure comes from (root → collection → chunk), so that the run's
 * error says what went wrong, whichever of the two failures is recorded first.
 */
async function rootCause(queue: Queue, job: Job, reason: string): Promise<{ job: Job; reason: string }> {
  const qualified = `${job.queueQualifiedName}:`;
  for (let depth = 0; depth < 3; depth++) {
    const key = CHILD_FAILED.exec(reason)?.[1];
    if (!key?.startsWith(qualified)) break;
    const child = await Job.fromId(queue, key.slice(qualified.length));
    if (!child?.failedReason) break;
    job = child;
    reason = child.failedReason;
  }
  return { job, reason };
}

const backfillJobData = z.looseObject({
  runId: z.uuid().optional(),
  collection: z.string().min(1).optional(),
  deployment: deploymentSchema.optional(),
});

/**
 * A backfill job that BullMQ failed for good, whatever failed it: its processor (failWhenExhausted got
 * there first; this is then a no-op), or something outside it, where no processor code runs: a stall
 * past `maxStalledCount`, a payload refused before dispatch, a child failing its parent. Without this the
 * run would stay `running` in Postgres forever. Jobs of another deployment are left to their own workers.
 * Returns whether this deployment's run was marked failed.
 */
export async function recordJobFailure(
  deps: FailureDeps,
  failed: Job,
  failedReason: string,
): Promise<boolean> {
  const { job, reason } = await rootCause(deps.queues.backfill, failed, failedReason);
  // The data says which run; a job whose data is gone or unreadable still has its deterministic id.
  const named = job.id === undefined ? undefined : parseBackfillJobId(job.id);
  const data = backfillJobData.safeParse(job.data ?? {});
  const fromData = data.success ? data.data : {};
  const runId = fromData.runId ?? named?.runId;
  const collection = fromData.collection ?? named?.collection;
  const deployment = fromData.deployment;
  if (!runId || !(job.name?.startsWith('backfill.') || named)) return false;
  if (deployment && !sameDeployment(deployment, deps.deployment)) return false;
  const message = `${job.name ?? 'job'} ${job.id} failed: ${reason}`;
  try {
    if (collection) await recordCollectionFailure(deps, runId, collection, message);
    else await failRun(deps.db.$client, runId, message);
    return true;
  } catch (error) {
    // A job without a fingerprint may name a run this database never had: nothing to record.
    if (!deployment && error instanceof Error && /does not exist/.test(error.message)) return false;
    throw error;
  }
}
