import type { Job } from 'bullmq';
import type { z } from 'zod';
import type { QueueName } from '../queue/names.js';
import type { WorkerDeps } from '../workers/deps.js';

/**
 * One job, one file (STYLE.md §1): each file under src/jobs/ exports a JobDefinition holding the
 * payload schema and the processor, and src/jobs/registry.ts ties names to them so that enqueuing and
 * processing share one type.
 */
export interface JobDefinition<
  Name extends string = string,
  Schema extends z.ZodType = z.ZodType,
  Result = unknown,
> {
  readonly name: Name;
  readonly queue: QueueName;
  readonly payload: Schema;
  /** `token` is the job's lock token, needed to move it to waiting-children. */
  process(data: z.output<Schema>, deps: WorkerDeps, job: Job, token: string | undefined): Promise<Result>;
}

export function defineJob<Name extends string, Schema extends z.ZodType, Result>(
  definition: JobDefinition<Name, Schema, Result>,
): JobDefinition<Name, Schema, Result> {
  return definition;
}
