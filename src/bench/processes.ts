import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const STRANGLER_BIN = fileURLToPath(new URL('../../bin/strangler.js', import.meta.url));

const STDERR_TAIL_BYTES = 4_096;

/** A `strangler …` child process the bench started and must stop, whatever happens. */
export interface StranglerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null after a signal) once the process is gone. */
  readonly exited: Promise<number | null>;
  /** The last few KB it wrote to stderr: what to show when it dies early. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<StranglerProcess>();

/**
 * Runs `node bin/strangler.js …` as its own process, the way an operator runs it. The child inherits
 * this process's environment (PATH, PG* variables a libpq-style setup relies on) plus `env`.
 */
export function spawnStrangler(args: readonly string[], env: Record<string, string>): StranglerProcess {
  const child = spawn(process.execPath, [STRANGLER_BIN, ...args], {
    // eslint-disable-next-line no-restricted-properties -- passed through to the child, not read as config
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start strangler ${args.join(' ')}`);
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const handle: StranglerProcess = {
    pid: child.pid,
    child,
    exited,
    stderrTail: () => tail,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(handle);
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

/** Stops every child still running (on error or Ctrl-C). */
export async function stopAllStrangler(graceMs = 5_000): Promise<void> {
  await Promise.all([...running].map((p) => p.stop(graceMs)));
}

/** Last resort on process exit, where nothing asynchronous runs any more. */
export function killAllStranglerNow(): void {
  for (const p of running) p.child.kill('SIGKILL');
}
