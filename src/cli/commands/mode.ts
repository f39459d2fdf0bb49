import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../config/env.js';
import type { Db } from '../../db/client.js';
import type { ChangeAllReport } from '../../modes/changeAll.js';
import type { ModeMove } from '../../modes/changeMode.js';
import type { GateProvider } from '../../modes/gates/index.js';
import type { CollectionMode } from '../../modes/machine.js';
import type { ModeNotifier } from '../../modes/notify.js';
import { CliError } from '../errors.js';
import { checkPostgres } from '../preflight.js';
import { parsePositiveInt } from './options.js';

interface ModeOptions {
  reason?: string;
  force?: boolean;
  json?: boolean;
  actor?: string;
  history?: boolean;
  collection?: string;
  limit: number;
}

/** Exit codes: 1 a move was refused (a red gate, a skipped step) or failed; 2 a bad argument. */
const EXIT_REFUSED = 1;
const EXIT_USAGE = 2;

export function registerMode(program: Command): void {
  program
    .command('mode')
    .description(
      'move a collection (or all) between mongo, dual, pg and decommissioned; --history lists changes',
    )
    .argument('[collection]', 'a Mongo collection name, or all')
    .argument('[mode]', 'mongo | dual | pg | decommissioned')
    .option('--reason <text>', 'why (kept in the audit trail; required with --force)')
    .option('--force', 'move forward even though a gate is red (needs --reason)')
    .option('--actor <name>', 'who is asking (default: the OS user)')
    .option('--history', 'list the recorded mode changes, oldest first')
    .option('--collection <name>', 'with --history: only this collection')
    .option('--limit <n>', 'with --history: the newest N changes', parsePositiveInt('--limit'), 100)
    .option('--json', 'print one JSON object to stdout')
    .action(async (target: string | undefined, mode: string | undefined, options: ModeOptions) => {
      const config = loadConfig();
      if (options.history) {
        if (target !== undefined) {
          throw new CliError('--history takes no <collection> or <mode> (use --collection)', EXIT_USAGE);
        }
        return history(config, options);
      }
      if (options.collection !== undefined)
        throw new CliError('--collection goes with --history', EXIT_USAGE);
      const request = await parseRequest(target, mode, options);
      await withPostgres(config, async (db) => {
        const { createModeNotifier } = await import('../../modes/notify.js');
        const notifier = createModeNotifier({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
        try {
          const { report, notifyErrors } = await executeModeChange(db, request, {
            notifier,
            gates: await configuredGates(db, config),
          });
          for (const error of notifyErrors) process.stderr.write(`warning: ${error}\n`);
          const { stdout, error } = await renderModeReport(report, options.json ?? false);
          process.stdout.write(stdout);
          if (error) throw error;
        } finally {
          notifier.close();
        }
      });
    });
}

export interface ModeRequest {
  /** A collection name, or 'all'. */
  target: string;
  to: CollectionMode;
  actor: string;
  reason: string | null;
  force: boolean;
}

/** Every argument checked before anything connects: a typo is one line and exit 2. */
async function parseRequest(
  target: string | undefined,
  mode: string | undefined,
  options: ModeOptions,
): Promise<ModeRequest> {
  if (target === undefined) {
    throw new CliError('give <collection|all> and <mode>, or --history', EXIT_USAGE);
  }
  const { REGISTRY } = await import('../../collections/registry.js');
  if (target !== 'all') {
    try {
      REGISTRY.get(target);
    } catch (error) {
      throw new CliError((error as Error).message, EXIT_USAGE);
    }
  }
  if (mode === undefined) {
    throw new CliError(`give the mode to move ${target} to (mongo, dual, pg or decommissioned)`, EXIT_USAGE);
  }
  const { checkMoveRequest } = await import('../../modes/changeMode.js');
  const { ModeUsageError } = await import('../../modes/errors.js');
  try {
    const { to, reason } = checkMoveRequest({ to: mode, reason: options.reason, force: options.force });
    return { target, to, reason, force: options.force ?? false, actor: options.actor ?? osUser() };
  } catch (error) {
    if (error instanceof ModeUsageError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user without a passwd entry has no name, only its uid.
    return `uid:${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * Runs one request (a collection, or all) and publishes each committed change. A single collection
 * gives the same report shape as `all`, so scripts read one shape.
 */
export async function executeModeChange(
  db: Db,
  request: ModeRequest,
  options: { notifier?: ModeNotifier; gates?: GateProvider } = {},
): Promise<{ report: ChangeAllReport; notifyErrors: string[] }> {
  const notifyErrors: string[] = [];
  const onMoved = async (move: ModeMove) => {
    if (!options.notifier) return;
    const result = await options.notifier.notify(move);
    if (!result.published) {
      notifyErrors.push(
        `${move.collection} is ${move.to}, but running processes were not notified (${result.error}); ` +
          'they see it within their cache TTL',
      );
    }
  };
  const input = { to: request.to, actor: request.actor, reason: request.reason, force: request.force };
  if (request.target === 'all') {
    const { changeAllModes } = await import('../../modes/changeAll.js');
    return { report: await changeAllModes(db, input, { gates: options.gates, onMoved }), notifyErrors };
  }
  const { changeMode } = await import('../../modes/changeMode.js');
  const report: ChangeAllReport = { to: request.to, moves: [], stopped: null, notAttempted: [] };
  try {
    const move = await changeMode(db, { ...input, collection: request.target }, { gates: options.gates });
    report.moves.push(move);
    if (move.changed) await onMoved(move);
  } catch (error) {
    report.stopped = {
      collection: request.target,
      error: error instanceof Error ? error : new Error(String(error)),
    };
  }
  return { report, notifyErrors };
}

/** Text or JSON for stdout, and the error to exit with when the request stopped short. */
export async function renderModeReport(
  report: ChangeAllReport,
  json: boolean,
): Promise<{ stdout: string; error: CliError | null }> {
  const { stopped } = report;
  let error: CliError | null = null;
  if (stopped) {
    const moved = report.moves.filter((m) => m.changed).map((m) => m.collection);
    const partial =
      report.moves.length > 0 || report.notAttempted.length > 0
        ? ` (moved: ${moved.join(', ') || 'none'}; not attempted: ${report.notAttempted.join(', ') || 'none'})`
        : '';
    error = new CliError(`${stopped.error.message}${partial}`, EXIT_REFUSED);
  }
  if (json) {
    const { modeErrorBody } = await import('../../modes/errors.js');
    const body = {
      to: report.to,
      moves: report.moves,
      stopped: stopped && { collection: stopped.collection, ...modeErrorBody(stopped.error) },
      notAttempted: report.notAttempted,
    };
    return { stdout: `${JSON.stringify(body)}\n`, error };
  }
  return { stdout: report.moves.map(moveLine).join(''), error };
}

function moveLine(move: ModeMove): string {
  if (!move.changed || !move.change) return `${move.collection}: already ${move.to}, nothing recorded\n`;
  const { change } = move;
  const forced = change.forced ? ' FORCED over red gates' : '';
  return `${move.collection}: ${move.from} → ${move.to}${forced} (change #${change.id} by ${change.actor})\n`;
}

async function withPostgres<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  // Mode changes touch Postgres alone (Redis only carries the notification): a rollback must not wait
  // for MongoDB or Redis to be reachable.
  await checkPostgres(config.PG_URL);
  const { createDb } = await import('../../db/client.js');
  const db = createDb({ url: config.PG_URL, max: 2, applicationName: 'strangler-cli' });
  try {
    return await fn(db);
  } finally {
    await db.$client.end();
  }
}

async function history(config: Config, options: ModeOptions): Promise<void> {
  if (options.collection !== undefined) {
    const { REGISTRY } = await import('../../collections/registry.js');
    try {
      REGISTRY.get(options.collection);
    } catch (error) {
      throw new CliError(`--collection: ${(error as Error).message}`, EXIT_USAGE);
    }
  }
  await withPostgres(config, async (db) => {
    const { readModeHistory } = await import('../../modes/storage.js');
    const changes = await readModeHistory(db, { collection: options.collection, limit: options.limit });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ changes })}\n`);
      return;
    }
    const { formatTable } = await import('../../status/table.js');
    process.stdout.write(
      formatTable(
        ['#', 'WHEN', 'COLLECTION', 'FROM', 'TO', 'ACTOR', 'FORCED', 'REASON'],
        changes.map((c) => [
          c.id,
          c.changedAt.toISOString(),
          c.collection,
          c.from,
          c.to,
          c.actor,
          c.forced ? 'yes' : '',
          c.reason,
        ]),
      ),
    );
  });
}

/** The cutover gates with the environment's policy (CUTOVER_*), loaded only when a move is asked for. */
async function configuredGates(db: Db, config: Config): Promise<GateProvider> {
  const { cutoverGates, cutoverPolicyOf } = await import('../../modes/gates/index.js');
  return cutoverGates(db, cutoverPolicyOf(config));
}
