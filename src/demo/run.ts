import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import type { Config } from '../config/env.js';
import type { Logger } from '../logger.js';
import { startEmbeddedMongo } from '../mongo/embedded/index.js';
import { seedDatabase } from '../synthetic/seed.js';
import { migrateDatabase } from '../db/migrate.js';
import { openDeps } from '../workers/deps.js';
import { startWorkers } from '../workers/runtime.js';
import { createModeNotifier } from '../modes/notify.js';
import { REGISTRY } from '../collections/registry.js';
import { driveTraffic, type TrafficFigures } from '../traffic/drive.js';
import { backfillAndWait } from './backfill.js';
import { DEMO_WINDOWS, moneyCore, moveAll } from './moves.js';
import { cutoverPolicyOf } from '../modes/gates/index.js';
import { announce, say } from './steps.js';
import { tamperOnePayment } from './tamper.js';
import { verifyAll } from './verify.js';

/** How long the traffic runs with the money core in `pg`: past the repositories' 10 s settle window. */
const PG_SECONDS = 15;

export interface DemoRunOptions {
  docs: number;
  seed: number;
  exit: boolean;
  port: number;
  concurrency: number;
}

/**
 * The plan's lifecycle on one machine (plan §6–§8), every step through the product's own API: an
 * embedded MongoDB seeded with the synthetic marketplace; a backfill while `traffic` writes through the
 * repositories; `dual`, with a delta backfill for what the traffic wrote meanwhile; a green
 * verification; a tampered payment caught and repaired; the money core moved to `pg` parents first
 * through the real gates; a rollback drill back to `dual`; a last verification. The traffic runs
 * from the backfill to the end, and its caller errors are reported (there should be none).
 */
export async function runDemo(config: Config, options: DemoRunOptions, log: Logger): Promise<void> {
  announce('seed', `${options.docs} documents`);
  const mongo = await startEmbeddedMongo({ port: 0 });
  const mongoUrl = `${mongo.url}/marketplace`;
  const seeder = new MongoClient(mongoUrl);
  const seeded = await seedDatabase(seeder.db('marketplace'), { docs: options.docs, seed: options.seed });
  await seeder.close();
  say(`embedded MongoDB at ${mongoUrl}, seeded in ${seeded.seconds.toFixed(1)} s`);
  say(`Postgres ${config.PG_URL.replace(/:[^:@/]*@/, ':***@')}: applying migrations`);
  await migrateDatabase(config.PG_URL);

  const demoConfig: Config = { ...config, ...DEMO_WINDOWS, MONGO_URL: mongoUrl, PORT: options.port };
  const policy = cutoverPolicyOf(demoConfig);
  const deps = await openDeps(demoConfig, log);
  const notifier = createModeNotifier({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  const runtime = startWorkers(deps, {
    queues: ['backfill', 'gaps', 'verify', 'sweep'],
    concurrency: options.concurrency,
  });
  const { startBoard } = await import('../board/server.js');
  const board = await startBoard(deps, options.port);
  // The console shows every step below as it happens; Bull Board the jobs underneath.
  say(`console: ${board.url}/ (user ${config.BOARD_USER}); Bull Board: ${board.url}/admin/queues`);

  // A demo database reused from an earlier run starts over in `mongo` (a back move: never gated).
  await moveAll(deps.db, policy, notifier, REGISTRY.order, 'mongo', 'demo: start over', false);

  const stopTraffic = new AbortController();
  const traffic: Promise<TrafficFigures> = driveTraffic(demoConfig, {
    rate: 20,
    durationMs: 24 * 3_600_000,
    concurrency: 4,
    seed: options.seed,
    quiet: true,
    shadowReadShare: 0.25,
    signal: stopTraffic.signal,
  });
  // Every step runs even after one went wrong (the rest is still worth seeing); the verdict lists them.
  const failures: string[] = [];
  const check = (fine: boolean, what: string) => {
    if (!fine) failures.push(what);
  };
  try {
    announce('backfill under live traffic');
    const full = await backfillAndWait(deps, {});
    check(full.status === 'completed', 'the backfill did not complete');

    announce('dual', 'every write now reaches both stores');
    await moveAll(deps.db, policy, notifier, REGISTRY.order, 'dual', 'demo: dual writes on', true);
    // What the traffic wrote while the backfill ran, before dual writes began.
    const delta = await backfillAndWait(deps, { since: full.createdAt });
    check(delta.status === 'completed', 'the delta backfill did not complete');

    announce('verification green');
    check((await verifyAll(deps)).status === 'green', 'the first verification was not green');

    announce('a tampered row caught and repaired');
    await tamperOnePayment(deps.db.$client);
    const caught = await verifyAll(deps);
    check(caught.status === 'red', 'the tampered payment was not caught');
    check((await verifyAll(deps, true)).status === 'green', 'the repair did not make it green');

    announce('the money core flipped to pg', 'parents first, each through its gates');
    await moveAll(
      deps.db,
      policy,
      notifier,
      moneyCore(),
      'pg',
      'demo: Postgres authoritative for money',
      true,
    );

    // Past the settle window (every process switches authority together), the traffic's money flows
    // run as Postgres transactions, MongoDB mirrored after each commit.
    say(`traffic runs with Postgres authoritative for ${PG_SECONDS} s`);
    await sleep(PG_SECONDS * 1000);

    announce('rollback drill back to dual', 'children first; never gated');
    await moveAll(deps.db, policy, notifier, moneyCore(), 'dual', 'demo: rollback drill', false);

    announce('final verification');
    check((await verifyAll(deps)).status === 'green', 'the final verification was not green');
  } catch (error) {
    check(false, `stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    stopTraffic.abort();
  }
  const figures = await traffic;
  say(
    `traffic: ${figures.ops} operations, ${figures.acked} acknowledged, ${figures.callerErrors} caller errors, ` +
      `p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms`,
  );
  check(figures.callerErrors === 0, `${figures.callerErrors} caller errors`);
  process.stderr.write(
    failures.length === 0
      ? '\ndemo completed: every step as expected\n'
      : `\ndemo FAILED: ${failures.join('; ')}\n`,
  );

  const shutdown = async () => {
    notifier.close();
    await runtime.close();
    await board.close();
    await deps.close();
    await mongo.close();
  };
  if (options.exit) {
    await shutdown();
    if (failures.length > 0) process.exitCode = 1;
    return;
  }
  say(`console stays up at ${board.url}/ (Bull Board at ${board.url}/admin/queues); Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    const stop = () => void shutdown().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
