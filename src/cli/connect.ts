import type { Config } from '../config/env.js';
import { createLogger, type Logger } from '../logger.js';
import type { WorkerDeps } from '../workers/deps.js';
import { checkMongo, checkPostgres, checkRedis } from './preflight.js';

/**
 * Checks all three services (each failure one clear line), then opens the shared dependencies. Heavy
 * modules load here, on use, so `strangler --help` stays fast.
 */
export async function connect(config: Config, log: Logger = createLogger(config.LOG_LEVEL, { role: 'cli' })) {
  await Promise.all([
    checkPostgres(config.PG_URL),
    checkRedis(config.REDIS_URL),
    checkMongo(config.MONGO_URL),
  ]);
  const { openDeps } = await import('../workers/deps.js');
  return openDeps(config, log);
}

/** connect(), run `fn`, and close everything whatever happens. */
export async function withDeps<T>(config: Config, fn: (deps: WorkerDeps) => Promise<T>): Promise<T> {
  const deps = await connect(config);
  try {
    return await fn(deps);
  } finally {
    await deps.close();
  }
}
