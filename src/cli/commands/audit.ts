import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { CliError } from '../errors.js';
import { withDeps } from '../connect.js';
import type { AuditReport } from '../../audit/report.js';
import type { WorkerDeps } from '../../workers/deps.js';

interface AuditOptions {
  collections: string;
  json?: boolean;
  local?: boolean;
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(
      'before a backfill: count every shape of the reference and money fields, and predict each reject',
    )
    .option('--collections <list>', 'comma-separated Mongo collections, or all', 'all')
    .option('--json', 'print the report as one JSON object')
    .option('--local', 'run in this process instead of as a job on the verify queue')
    .action(async (options: AuditOptions) => {
      const config = loadConfig();
      const collections =
        options.collections === 'all'
          ? ('all' as const)
          : options.collections.split(',').map((c) => c.trim());
      const { REGISTRY } = await import('../../collections/registry.js');
      try {
        REGISTRY.select(collections);
      } catch (error) {
        throw new CliError(`--collections: ${(error as Error).message}`, 2);
      }
      const report = await withDeps(config, (deps) => audit(deps, collections, options.local ?? false));
      const { formatAudit } = await import('../../audit/format.js');
      process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatAudit(report));
    });
}

async function audit(
  deps: WorkerDeps,
  collections: readonly string[] | 'all',
  local: boolean,
): Promise<AuditReport> {
  const { consumersOf, noConsumerHint } = await import('../../queue/consumers.js');
  // Only workers of this deployment count: another deployment's workers would set the job aside forever.
  const consumers = local ? undefined : await consumersOf(deps.queues.verify, deps.deployment);
  if (!consumers || consumers.ours === 0) {
    if (consumers) process.stderr.write(`${noConsumerHint('verify', consumers)}: auditing in this process\n`);
    const { runAudit } = await import('../../audit/runAudit.js');
    return runAudit(deps.mongo, deps.db.$client, collections);
  }
  const { QueueEvents } = await import('bullmq');
  const { stamp } = await import('../../jobs/envelope.js');
  // Given a client, BullMQ makes and closes its own duplicate for the blocking reads. (Handing it a
  // duplicate of ours left that duplicate open after close(): the process printed the report and hung.)
  const events = new QueueEvents('verify', {
    connection: deps.workerRedis,
    prefix: deps.config.QUEUE_PREFIX,
  });
  try {
    await events.waitUntilReady();
    const job = await deps.queues.verify.add('verify.audit', stamp(deps.deployment, { collections }), {
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 24 * 3600 },
    });
    process.stderr.write(`audit job ${job.id} queued on the verify queue\n`);
    return (await job.waitUntilFinished(events)) as AuditReport;
  } finally {
    await events.close();
  }
}
