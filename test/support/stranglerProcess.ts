import { spawn, type ChildProcess } from 'node:child_process';
import { STRANGLER_BIN } from './cli.js';

/** One `{"progress":true,…}` line of `strangler traffic --json` on stderr. */
export interface TrafficProgress {
  seconds: number;
  ops: number;
  acked: number;
  callerErrors: number;
}

export interface StranglerProcess {
  child: ChildProcess;
  /** The traffic's progress lines so far (empty for other commands). */
  progress: TrafficProgress[];
  /** Everything it printed on stdout (the traffic's final JSON line is the last line). */
  stdout(): string;
  /** Its log lines on stderr other than progress (LOG_LEVEL=error: the errors), for a failing assertion to show. */
  logs: string[];
  exited: Promise<void>;
}

/**
 * A strangler process as an operator runs it (the built CLI, its own Node), with `env` over the test's
 * environment. Set CHAOS_DEBUG=1 to see its stderr.
 */
export function startStrangler(args: string[], env: Record<string, string>): StranglerProcess {
  const child = spawn(process.execPath, [STRANGLER_BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const progress: TrafficProgress[] = [];
  const logs: string[] = [];
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const lines = stderr.split('\n');
    stderr = lines.pop() ?? '';
    for (const line of lines) {
      if (process.env.CHAOS_DEBUG) process.stdout.write(`[${args[0]}] ${line}\n`);
      if (!line.startsWith('{"progress"')) {
        if (line.trim() !== '' && logs.length < 50) logs.push(line);
        continue;
      }
      progress.push(JSON.parse(line) as TrafficProgress);
    }
  });
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, progress, stdout: () => stdout, logs, exited };
}

export async function kill9(process: StranglerProcess): Promise<void> {
  process.child.kill('SIGKILL');
  await process.exited;
}

/** Polls `test` every 100 ms; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, test: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
