import { Job, type Queue } from 'bullmq';
import { PARKED_DELAY_MS, runJobId } from '../backfill/jobIds.js';

export interface RunLiveness {
  /**
   * Jobs of the run that will move without anyone's help: running, waiting for a worker, or delayed for
   * a retry. A job waiting for its children is not counted (its children are), nor a parked collection.
   */
  live: number;
  /** Whether Redis still holds the run's root job (it does not after Redis lost its keys). */
  rootPresent: boolean;
  /** Collections whose jobs are parked, waiting for a promotion. */
  parked: string[];
  /** Collections whose jobs wait for chunk jobs. */
  waitingForChunks: string[];
}

/**
 * What BullMQ holds of one run. A run with nothing live can only move if someone intervenes: Redis lost
 * its jobs, or a parked collection lost its promotion. Each state is read in its own call, so a job can
 * be missed while it moves: callers must see "nothing live" twice, some time apart, before believing it.
 */
export async function runLiveness(queue: Queue, runId: string): Promise<RunLiveness> {
  const root = runJobId(runId);
  const ofRun = (ids: string[]) => ids.filter((id) => id === root || id.startsWith(`${root}.`));
  const collectionOf = (id: string) => id.slice(root.length + 1).split('.')[0] ?? '';
  const isCollection = (id: string) => id !== root && !id.slice(root.length + 1).includes('.');

  const moving = ofRun(await queue.getRanges(['active', 'wait', 'prioritized'], 0, -1));
  const delayed = ofRun(await queue.getRanges(['delayed'], 0, -1));
  const waitingChildren = ofRun(await queue.getRanges(['waiting-children'], 0, -1));

  let live = moving.length;
  const parked: string[] = [];
  for (const id of delayed) {
    const job = isCollection(id) ? await Job.fromId(queue, id) : undefined;
    if (job && Number(job.delay) >= PARKED_DELAY_MS) parked.push(collectionOf(id));
    else live += 1;
  }
  const all = [...moving, ...delayed, ...waitingChildren];
  return {
    live,
    rootPresent: all.includes(root) || (await Job.fromId(queue, root)) !== undefined,
    parked,
    waitingForChunks: waitingChildren.filter(isCollection).map(collectionOf),
  };
}
