import { createInterface } from 'node:readline';
import { spawnStrangler, type StranglerProcess } from './processes.js';

export interface Source {
  /** `mongodb://127.0.0.1:PORT/bench`, as printed by the server. */
  readonly url: string;
  readonly process: StranglerProcess;
  /** Seconds from spawn to seeded and listening. */
  readonly readySeconds: number;
}

/** The seeded database's name; only the path of MONGO_URL matters to `mongo-embedded`. */
const SOURCE_ENV = { MONGO_URL: 'mongodb://127.0.0.1:1/bench' };

/**
 * The source MongoDB as its own process, as a real server would be: its CPU is not the workers' and
 * not the bench's. `mongo-embedded` prints its URL as one stdout line once it is seeded and listening.
 */
export async function startSource(docs: number, logLevel: string): Promise<Source> {
  const started = performance.now();
  const child = spawnStrangler(['mongo-embedded', '--port', '0', '--seed-docs', String(docs)], {
    ...SOURCE_ENV,
    LOG_LEVEL: logLevel,
  });
  try {
    const url = await firstLine(child);
    return { url, process: child, readySeconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

function firstLine(child: StranglerProcess): Promise<string> {
  const stdout = child.child.stdout;
  if (!stdout) throw new Error('mongo-embedded has no stdout pipe');
  const lines = createInterface({ input: stdout });
  return new Promise<string>((resolve, reject) => {
    // The interface goes on reading (and dropping) later lines: a full pipe would block the server.
    lines.once('line', (line) => resolve(line.trim()));
    void child.exited.then((code) =>
      reject(
        new Error(`mongo-embedded exited (${code}) before printing its url: ${child.stderrTail().trim()}`),
      ),
    );
  });
}
