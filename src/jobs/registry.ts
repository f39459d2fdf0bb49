import type { JobDefinition } from './define.js';

/**
 * Every job the workers know, by name. Adding a job = one file under src/jobs/ + one line here.
 * `JobName` and `JobPayload<N>` let producers enqueue with the same types the processors parse.
 */
export const JOBS = [] as const satisfies readonly JobDefinition[];

type AnyJob = (typeof JOBS)[number];
export type JobName = AnyJob extends { name: infer N } ? N : never;
