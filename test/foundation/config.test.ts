import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, ConfigError, loadConfig } from '../../src/config/env.js';
import { runCli } from '../support/cli.js';

describe('configuration', () => {
  it('defaults fit a local machine', () => {
    const config = loadConfig({});
    expect(config.PG_URL).toBe('postgres://postgres@localhost:5432/strangler');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.PORT).toBe(3000);
    expect(config).toEqual(CONFIG_DEFAULTS);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['PG_URL', 'mysql://localhost/x'],
    ['REDIS_URL', 'not a url'],
    ['MONGO_URL', 'http://localhost'],
    ['PORT', '70000'],
    ['API_TOKEN', 'short'],
  ])('names %s when it is malformed', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrowError(new RegExp(`^invalid environment: ${name}: `));
  });
});

describe('CLI error lines', () => {
  it('a malformed PG_URL is one line and exit code 2', async () => {
    const result = await runCli(['db', 'migrate'], { PG_URL: 'postgres//oops' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'strangler: invalid environment: PG_URL: must be a postgres:// or postgresql:// URL',
    ]);
  });

  it('an unreachable Postgres is one line naming it, not a stack trace', async () => {
    const result = await runCli(['db', 'migrate'], { PG_URL: 'postgres://postgres@127.0.0.1:1/strangler' });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^strangler: cannot reach Postgres at postgres:\/\/postgres@127\.0\.0\.1:1\/.*ECONNREFUSED/,
    );
  });

  it('an unreachable Redis is one line naming it', async () => {
    const result = await runCli(['worker', '--queues', 'backfill'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^strangler: cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*ECONNREFUSED/);
  });

  it('--help lists the commands of the contract', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['db', 'worker', 'mongo-embedded']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });
});
