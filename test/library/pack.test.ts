import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMongo, type TestMongo } from '../support/mongo.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { deletePrefix, uniquePrefix } from '../support/queue.js';

/**
 * strangler as a library in a plain-Node application: `npm pack` the project, `npm install` the tarball
 * into a scratch project, and import it there with plain `node` (no tsx), so what runs is the dist/ the
 * tarball carries, resolved through package.json "exports".
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Top-level entries of the checkout never copied to the staging directory. */
const NOT_STAGED = new Set(['node_modules', '.git', 'dist', 'coverage', 'tmp']);

/**
 * The environment for child npm and node processes: without what an outer `npm test` exports for its own
 * package (its prefix, package and lifecycle variables), which would point the child npm at this
 * checkout; without vitest's NODE_ENV and NODE_OPTIONS, so the scratch project runs plain node.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      /^npm_(package_|lifecycle_|command$|execpath$|node_execpath$)/i.test(key) ||
      /^npm_config_(prefix|local_prefix|global_prefix|loglevel)$/i.test(key) ||
      ['INIT_CWD', 'NODE_ENV', 'NODE_OPTIONS'].includes(key)
    ) {
      delete env[key];
    }
  }
  return env;
}

interface RunResult {
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion; rejects with its output when it fails or outlives the timeout. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      if (code === 0) return resolve({ stdout, stderr, ms });
      reject(
        new Error(
          `${command} ${args.join(' ')} (in ${cwd}) failed: ${signal ?? `exit ${code}`} after ${ms} ms\n` +
            `--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`,
        ),
      );
    });
  });
}

/** The plain-Node service: argv is mongoUrl, pgUrl, redisUrl, queuePrefix; prints one JSON line. */
const SERVICE = `
import mongoose from 'mongoose';
import { createRepositories } from 'strangler';

const [mongoUrl, pgUrl, redisUrl, queuePrefix] = process.argv.slice(2);
const connection = await mongoose.createConnection(mongoUrl).asPromise();
const repos = createRepositories({ mongoose: connection, pg: pgUrl, redisUrl, queuePrefix });
try {
  const userId = new mongoose.Types.ObjectId().toHexString();
  const created = await repos.addresses.create({ userId, city: 'Lisbon', country: 'PT', primary: true });
  const found = await repos.addresses.findById(created.id);
  const entry = import.meta.resolve('strangler');
  console.log(JSON.stringify({ entry, userId, created, found }));
} finally {
  await repos.close();
  await connection.close();
}
`;

/** A TypeScript consumer: compiles only against the installed .d.ts, and fails if they degrade to any. */
const CONSUMER = `
import type { Connection } from 'mongoose';
import { createRepositories, type Address, type Repositories, type RepositoryOptions } from 'strangler';

export async function primaryCity(connection: Connection, userId: string): Promise<string | undefined> {
  const options: RepositoryOptions = { mongoose: connection, pg: 'postgres://app@db/app', redisUrl: 'redis://r' };
  const repos: Repositories = createRepositories(options);
  try {
    const addresses: Address[] = await repos.addresses.listByUser(userId);
    return addresses.find((address) => address.primary)?.city;
  } finally {
    await repos.close();
  }
}

export function misuse(options: RepositoryOptions): void {
  // @ts-expect-error pg is a Pool or a URL, not a number
  createRepositories({ ...options, pg: 42 });
  // @ts-expect-error the Mongoose connection is required
  createRepositories({ pg: 'postgres://app@db/app', redisUrl: 'redis://r' });
}
`;

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  },
  files: ['consumer.ts'],
};

describe('strangler installed from its npm tarball', () => {
  let temp: string;
  let scratch: string;
  let installed: string;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'strangler-pack-'));

    // Pack a copy of the checkout, so the build that `npm pack` runs (the "prepare" script) never
    // touches this checkout's dist/ while another run or an editor uses it. node_modules is shared.
    const stage = join(temp, 'stage');
    cpSync(ROOT, stage, {
      recursive: true,
      filter: (source) => !NOT_STAGED.has(relative(ROOT, source).split(sep)[0] ?? ''),
    });
    symlinkSync(join(ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
    const packs = join(temp, 'packs');
    mkdirSync(packs);
    const pack = await run('npm', ['pack', '--pack-destination', packs, '--no-fund'], stage, 300_000);
    timings.packMs = pack.ms;
    const tarballs = readdirSync(packs).filter((name) => name.endsWith('.tgz'));
    expect(tarballs).toHaveLength(1);
    const tarball = join(packs, tarballs[0]!);

    // A plain-Node application with nothing but the tarball (and the types a TypeScript app has).
    scratch = join(temp, 'app');
    mkdirSync(scratch);
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify(
        { name: 'strangler-consumer', version: '1.0.0', private: true, type: 'module' },
        null,
        2,
      ),
    );
    const versions = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const install = await run(
      'npm',
      [
        'install',
        tarball,
        `@types/node@${versions.devDependencies['@types/node']}`,
        `@types/pg@${versions.devDependencies['@types/pg']}`,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
      ],
      scratch,
      420_000,
    );
    timings.installMs = install.ms;
    installed = join(scratch, 'node_modules', 'strangler');
    console.log(`npm pack ${timings.packMs} ms, npm install ${timings.installMs} ms`);
  }, 900_000);

  afterAll(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('carries the built library, its types, the CLI sources and the migrations', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(manifest.exports['.']).toEqual({
      types: './dist/repositories/index.d.ts',
      import: './dist/repositories/index.js',
    });
    for (const file of [
      'dist/repositories/index.js',
      'dist/repositories/index.d.ts',
      'dist/repositories/create.d.ts',
      'bin/strangler.js',
      'src/cli/main.ts',
      'src/db/migrations/0000_init.sql',
      'src/db/migrations/meta/_journal.json',
      'README.md',
    ]) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    for (const absent of ['test', 'bench', 'node_modules', '.ci', 'dist/repositories/index.ts']) {
      expect(existsSync(join(installed, absent)), absent).toBe(false);
    }
  });

  it('type-checks a TypeScript consumer against the installed .d.ts', async () => {
    writeFileSync(join(scratch, 'consumer.ts'), CONSUMER);
    writeFileSync(join(scratch, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
    await run(process.execPath, [TSC, '-p', 'tsconfig.json'], scratch, 120_000);
  }, 150_000);

  it('runs the CLI from the installed package', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(installed, 'bin/strangler.js'), '--help'],
      scratch,
      60_000,
    );
    expect(stdout).toContain('Usage: strangler');
  }, 90_000);

  describe('createRepositories under plain node', () => {
    let mongo: TestMongo | undefined;
    let pg: TestDatabase | undefined;
    const prefix = uniquePrefix('library');

    afterAll(async () => {
      await mongo?.stop();
      await pg?.drop();
      await deletePrefix(prefix);
    });

    it('creates an address through the installed package and reads it back', async () => {
      [mongo, pg] = await Promise.all([startTestMongo(), createTestDatabase()]);
      writeFileSync(join(scratch, 'service.mjs'), SERVICE);
      const { stdout } = await run(
        process.execPath,
        ['service.mjs', mongo.url, pg.url, TEST_REDIS_URL, prefix],
        scratch,
        90_000,
      );
      const output = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as {
        entry: string;
        userId: string;
        created: Record<string, unknown>;
        found: Record<string, unknown> | null;
      };
      expect(fileURLToPath(output.entry)).toBe(realpathSync(join(installed, 'dist/repositories/index.js')));
      expect(output.created).toMatchObject({ userId: output.userId, city: 'Lisbon', primary: true });
      expect(output.found).toMatchObject({
        id: output.created.id,
        userId: output.userId,
        city: 'Lisbon',
        country: 'PT',
        primary: true,
      });

      // It went through the application's connection into its database.
      const client = new MongoClient(mongo.url);
      try {
        const stored = await client.db(mongo.dbName).collection('addresses').find({}).toArray();
        expect(stored.map((doc) => String(doc._id))).toEqual([output.created.id]);
      } finally {
        await client.close();
      }
    }, 180_000);
  });
});
