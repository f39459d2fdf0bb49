import type { Request } from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { resolveCredentials } from '../../src/board/credentials.js';
import { isSameOrigin } from '../../src/board/security.js';
import { chooseHost } from '../../src/board/server.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';

describe('BOARD_CREDENTIALS', () => {
  it('parses name:role:secret entries; a secret may hold colons', () => {
    const config = loadConfig({
      BOARD_CREDENTIALS: ' ann:operator:s3cret:with:colons , bob:viewer:bob-secret ',
    });
    expect(config.BOARD_CREDENTIALS).toEqual([
      { name: 'ann', role: 'operator', secret: 's3cret:with:colons' },
      { name: 'bob', role: 'viewer', secret: 'bob-secret' },
    ]);
    expect(resolveCredentials(config)).toEqual({
      accepted: [
        { name: 'ann', role: 'operator', secret: 's3cret:with:colons', schemes: ['basic', 'bearer'] },
        { name: 'bob', role: 'viewer', secret: 'bob-secret', schemes: ['basic', 'bearer'] },
      ],
      builtInDefaults: [],
    });
  });

  it.each([
    ['ann:admin:long-enough', /role must be viewer or operator/],
    ['ann:viewer:short', /at least 8 characters/],
    ['ann:viewer', /not name:role:secret/],
    ['ann viewer long-enough', /not name:role:secret/],
    ['ann:viewer:long-enough,ann:operator:other-secret', /name ann is used twice/],
    ['ann:viewer:long-enough,bob:operator:long-enough', /secret is used twice/],
  ])('%s is refused in one line naming the variable, never the secret', (value, message) => {
    let error: unknown;
    try {
      loadConfig({ BOARD_CREDENTIALS: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toMatch(/^invalid environment: BOARD_CREDENTIALS: /);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    expect(text).not.toContain('long-enough');
  });

  it('absent: BOARD_USER/BOARD_PASSWORD (basic) and API_TOKEN as `api` (bearer), both operators', () => {
    const defaults = resolveCredentials(loadConfig({}));
    expect(defaults.accepted).toEqual([
      { name: 'admin', role: 'operator', secret: 'strangler', schemes: ['basic'] },
      { name: 'api', role: 'operator', secret: 'strangler-dev-token', schemes: ['bearer'] },
    ]);
    expect(defaults.builtInDefaults).toEqual(['BOARD_PASSWORD', 'API_TOKEN']);
    const real = loadConfig({ BOARD_USER: 'ops', BOARD_PASSWORD: 'pw-12345678', API_TOKEN: 'tok-12345678' });
    expect(resolveCredentials(real).builtInDefaults).toEqual([]);
  });

  it('BOARD_PUBLIC takes 1/0 (true/false) and nothing else', () => {
    expect(loadConfig({}).BOARD_PUBLIC).toBe(false);
    expect(loadConfig({ BOARD_PUBLIC: '1' }).BOARD_PUBLIC).toBe(true);
    expect(loadConfig({ BOARD_PUBLIC: 'false' }).BOARD_PUBLIC).toBe(false);
    expect(() => loadConfig({ BOARD_PUBLIC: 'yes' })).toThrow(/BOARD_PUBLIC: must be 1 or 0/);
  });
});

describe('isSameOrigin', () => {
  const req = (headers: Record<string, string>, protocol = 'http') =>
    ({ headers: { host: 'board.internal:3000', ...headers }, protocol }) as unknown as Request;

  it("accepts the request's own scheme and host, or Sec-Fetch-Site: same-origin without an Origin", () => {
    expect(isSameOrigin(req({ origin: 'http://board.internal:3000' }))).toBe(true);
    expect(isSameOrigin(req({ origin: 'http://BOARD.internal:3000' }))).toBe(true);
    expect(isSameOrigin(req({ 'sec-fetch-site': 'same-origin' }))).toBe(true);
    // Behind a TLS proxy the browser's origin is https while the hop to the board is http.
    expect(isSameOrigin(req({ origin: 'https://board.internal:3000', 'x-forwarded-proto': 'https' }))).toBe(
      true,
    );
  });

  it('refuses any other origin, `null`, another scheme or port, and a request with neither header', () => {
    for (const headers of <Record<string, string>[]>[
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: 'https://board.internal:3000' },
      { origin: 'http://board.internal:3001' },
      { origin: 'http://board.internal' },
      { origin: 'http://evil.example', 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'same-site' },
      { 'sec-fetch-site': 'cross-site' },
      {},
    ]) {
      expect(isSameOrigin(req(headers)), JSON.stringify(headers)).toBe(false);
    }
  });
});

describe('chooseHost', () => {
  const capture = () => {
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    return { log, lines };
  };

  it('logs the BOARD_PUBLIC opt-in at warn, saying what it exposes', () => {
    const { log, lines } = capture();
    const config = loadConfig({ BOARD_PUBLIC: '1' });
    expect(chooseHost({ config, log })).toBe('0.0.0.0');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(40);
    expect(lines[0]!.msg).toMatch(/BOARD_PUBLIC=1.*built-in default.*operator/);
  });

  it('logs the loopback decision and how to lift it', () => {
    const { log, lines } = capture();
    expect(chooseHost({ config: loadConfig({}), log })).toBe('127.0.0.1');
    expect(lines[0]!.msg).toMatch(/127\.0\.0\.1.*BOARD_CREDENTIALS/);
  });
});
