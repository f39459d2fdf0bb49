import type { Queue } from 'bullmq';
import { deploymentTag, type Deployment } from '../workers/identity.js';

export interface Consumers {
  /** Workers of this deployment: they will take its jobs. */
  ours: number;
  /** Workers of other deployments on the same Redis and prefix: they set this deployment's jobs aside. */
  others: number;
}

/** Counts a queue's workers by deployment, from the Redis client names BullMQ gives them (CLIENT LIST). */
export async function consumersOf(queue: Queue, deployment: Deployment): Promise<Consumers> {
  const suffix = `:w:${deploymentTag(deployment)}`;
  const workers = await queue.getWorkers();
  const ours = workers.filter((w) => w.rawname?.endsWith(suffix)).length;
  return { ours, others: workers.length - ours };
}

/** One line for "nobody will run this": what is missing and what to start. */
export function noConsumerHint(queue: string, consumers: Consumers): string {
  const others =
    consumers.others > 0
      ? ` (${consumers.others} worker${consumers.others > 1 ? 's' : ''} of another deployment, connected to other databases, ignore its jobs)`
      : '';
  return `no worker of this deployment consumes the ${queue} queue${others}`;
}
