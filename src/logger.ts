import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One pino root logger per process; components take a child with their own bindings.
 * Logs go to stderr so that stdout stays clean for `--json` output and progress bars.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { pid: process.pid, ...bindings } }, pino.destination({ fd: 2, sync: true }));
}
