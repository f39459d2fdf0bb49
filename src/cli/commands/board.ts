import type { Command } from 'commander';
import { CONFIG_DEFAULTS, loadConfig } from '../../config/env.js';
import { createLogger } from '../../logger.js';
import { connect } from '../connect.js';
import { parseNonNegativeInt } from './options.js';

export function registerBoard(program: Command): void {
  program
    .command('board')
    .description(
      'serve the console (/), Bull Board (/admin/queues) and the JSON API (/api) until SIGTERM/SIGINT',
    )
    .option('--port <n>', 'TCP port (default: PORT, 3000)', parseNonNegativeInt('--port'))
    .option(
      '--host <host>',
      'address to listen on (default: 0.0.0.0 with real credentials, 127.0.0.1 with the built-in ones)',
    )
    .action(async (options: { port?: number; host?: string }) => {
      const config = loadConfig();
      const log = createLogger(config.LOG_LEVEL, { role: 'board' });
      if (config.BOARD_CREDENTIALS === undefined) {
        if (config.API_TOKEN === CONFIG_DEFAULTS.API_TOKEN) {
          log.warn('API_TOKEN is the built-in default: anyone who reads the source can call the API');
        }
        if (config.BOARD_PASSWORD === CONFIG_DEFAULTS.BOARD_PASSWORD) {
          log.warn('BOARD_PASSWORD is the built-in default: anyone who reads the source can use the board');
        }
      }
      const { startBoard } = await import('../../board/server.js');
      const deps = await connect(config, log);
      const board = await startBoard(deps, options.port ?? config.PORT, options.host).catch(
        async (error: unknown) => {
          await deps.close();
          throw error;
        },
      );
      process.stderr.write(
        `board: ${board.url}/  queues: ${board.url}/admin/queues  api: ${board.url}/api  (on ${board.host})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = async (signal: string) => {
          log.info({ signal }, 'board shutting down');
          await board.close();
          await deps.close();
          resolve();
        };
        process.once('SIGTERM', () => void stop('SIGTERM'));
        process.once('SIGINT', () => void stop('SIGINT'));
      });
    });
}
