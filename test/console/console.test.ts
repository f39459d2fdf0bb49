import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBoard, type RunningBoard } from '../../src/board/server.js';
import { REGISTRY } from '../../src/collections/registry.js';
import type { CollectionStatus } from '../../src/status/collections.js';
import { seedDatabase } from '../../src/synthetic/seed.js';
import { runCli } from '../support/cli.js';
import { startTestStack, type TestStack } from '../support/stack.js';

// The board's built-in operator when neither BOARD_CREDENTIALS nor BOARD_USER/BOARD_PASSWORD is set.
const USER = 'admin';
const PASSWORD = 'strangler';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = process.env.CONSOLE_SCREENSHOT === '1';

describe('migration console (a real browser against the real board)', () => {
  let stack: TestStack;
  let board: RunningBoard;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Console errors, page errors and failed requests: each one fails the suite. */
  const problems: string[] = [];

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${board.url}${path}`, {
      ...init,
      headers: {
        authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
        origin: board.url,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
    expect(res.status, `${init.method ?? 'GET'} ${path}`).toBeLessThan(300);
    return (await res.json()) as T;
  };
  const statuses = async () =>
    (await api<{ collections: CollectionStatus[] }>('/api/collections')).collections;
  const row = (name: string) => page.locator(`#rows tr[data-collection="${name}"]`);
  const cell = (name: string, field: string) => row(name).locator(`[data-field="${field}"]`);
  const number = (text: string) => Number(text.replace(/,/g, '').trim());

  /** The rendered source/migrated/rejected/deleted/open-gaps cells equal what the API reports. */
  async function expectTableMatches(expected: readonly CollectionStatus[]): Promise<void> {
    const rendered = await page.locator('#rows tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const text = (field: string) => tr.querySelector(`[data-field="${field}"]`)?.textContent ?? '';
        return {
          name: tr.getAttribute('data-collection'),
          mode: text('mode').trim(),
          source: text('source'),
          migrated: text('migrated'),
          rejected: text('rejected'),
          deleted: text('deleted'),
          gapsOpen: text('gapsOpen').split('(')[0] ?? '',
        };
      }),
    );
    expect(
      rendered.map((r) => ({
        ...r,
        source: number(r.source),
        migrated: number(r.migrated),
        rejected: number(r.rejected),
        deleted: number(r.deleted),
        gapsOpen: number(r.gapsOpen),
      })),
    ).toEqual(
      expected.map(({ name, mode, source, migrated, rejected, deleted, gapsOpen }) => ({
        name,
        mode,
        source,
        migrated,
        rejected,
        deleted,
        gapsOpen,
      })),
    );
  }

  /** Waits for the page's next poll to land, so the rows reflect what the server has now. */
  async function nextRefresh(): Promise<void> {
    const body = page.locator('body');
    const before = await body.getAttribute('data-updated');
    await expect.poll(() => body.getAttribute('data-updated'), { timeout: 15_000 }).not.toBe(before);
  }

  beforeAll(async () => {
    stack = await startTestStack();
    await seedDatabase(stack.source, { docs: 300 });
    stack.startWorkers(2);
    board = await startBoard(stack.deps, 0, '127.0.0.1');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({
      httpCredentials: { username: USER, password: PASSWORD },
      viewport: { width: 1280, height: 800 },
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`requestfailed: ${request.url()}`));
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await board?.close();
    await stack?.stop();
  });

  it('loads with every asset from the board itself and no console error', async () => {
    const offsite: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(board.url)) offsite.push(request.url());
    });
    const response = await page.goto(board.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#plot-throughput .uplot').waitFor();
    await nextRefresh();
    expect(
      await page.locator('#rows tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.collection)),
    ).toEqual(REGISTRY.order);
    expect(offsite).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows the numbers `status --json` prints', async () => {
    await expectTableMatches(await statuses());
    const cli = await runCli(['status', '--json'], {
      PG_URL: stack.config.PG_URL,
      MONGO_URL: stack.config.MONGO_URL,
      REDIS_URL: stack.config.REDIS_URL,
      QUEUE_PREFIX: stack.config.QUEUE_PREFIX,
    });
    expect(cli.code, cli.stderr).toBe(0);
    await expectTableMatches((JSON.parse(cli.stdout) as { collections: CollectionStatus[] }).collections);
  });

  it('refuses a forward move whose gate is red: the button is disabled and names the gate', async () => {
    const users = row('users');
    const forward = users.getByRole('button', { name: 'Move to dual' });
    await expect(forward.isDisabled()).resolves.toBe(true);
    const describedBy = await forward.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toMatch(/blocked by gate: backfill/);
    expect(await users.locator('[data-gate="backfill"]').getAttribute('data-ok')).toBe('false');
  });

  it('starts a backfill from the page and shows it complete', async () => {
    await page.getByRole('button', { name: 'Backfill all' }).click();
    await expect.poll(() => page.locator('#notice').textContent()).toMatch(/Backfill of all started/);
    await expect
      .poll(() => page.locator('[data-field="run-status"]').textContent(), { timeout: 90_000 })
      .toBe('completed');
    await nextRefresh();
    const after = await statuses();
    expect(after.find((c) => c.name === 'users')?.migrated).toBeGreaterThan(0);
    await expectTableMatches(after);
    expect(await cell('users', 'backfill-status').textContent()).toMatch(/^completed, 100%/);
    expect(await row('users').locator('[data-gate="backfill"]').getAttribute('data-ok')).toBe('true');
    expect(problems).toEqual([]);
  });

  it('moves forward once the gate is green, and back, each with a reason and a confirmation', async () => {
    const move = async (label: string, reason: string, notice: string) => {
      await row('users').getByRole('button', { name: label }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog.isVisible()).resolves.toBe(true);
      // An empty reason is refused by the dialog itself.
      await dialog.getByRole('button', { name: 'Confirm move' }).click();
      await expect(dialog.isVisible()).resolves.toBe(true);
      await dialog.getByLabel(/Reason/).fill(reason);
      await dialog.getByRole('button', { name: 'Confirm move' }).click();
      await page.locator('#move-dialog').waitFor({ state: 'hidden' });
      await expect.poll(() => page.locator('#notice').textContent(), { timeout: 10_000 }).toContain(notice);
    };

    await move('Move to dual', 'console test: backfill is complete', 'users moved from mongo to dual');
    const forward = await api<{ mode: string; changes: { to: string; reason: string; actor: string }[] }>(
      '/api/collections/users/modes',
    );
    expect(forward.mode).toBe('dual');
    expect(forward.changes.at(-1)).toMatchObject({
      to: 'dual',
      reason: 'console test: backfill is complete',
    });
    expect(forward.changes.at(-1)?.actor).toBe(USER);
    await expect.poll(() => cell('users', 'mode').textContent()).toBe('dual');

    await move('Back to mongo', 'console test: roll back', 'users moved from dual to mongo');
    const back = await api<{ mode: string; changes: { to: string; reason: string }[] }>(
      '/api/collections/users/modes',
    );
    expect(back.mode).toBe('mongo');
    expect(back.changes.at(-1)).toMatchObject({ to: 'mongo', reason: 'console test: roll back' });
    await expect.poll(() => cell('users', 'mode').textContent()).toBe('mongo');
    expect(problems).toEqual([]);
  });

  it('drills down into a collection: mode history, rejects by reason, gaps, verifications', async () => {
    await row('users').getByRole('button', { name: 'details of users' }).click();
    const details = page.locator('#details');
    await details.locator('h3', { hasText: 'Mode history' }).waitFor();
    const text = (await details.textContent()) ?? '';
    expect(text).toContain('Details: users');
    expect(text).toContain('console test: roll back');
    expect(text).toMatch(/Rejects \(\d+ open\)/);
    expect(text).toMatch(/Gaps \(0 open, 0 dead\)/);
    expect(text).toContain('Never verified.');
    expect(problems).toEqual([]);
  });

  it.runIf(SCREENSHOT)('takes the README screenshot (CONSOLE_SCREENSHOT=1)', async () => {
    for (const name of REGISTRY.order.slice(0, 4)) {
      await api(`/api/collections/${name}/mode`, {
        method: 'PUT',
        body: JSON.stringify({ mode: 'dual', reason: 'screenshot' }),
      });
    }
    await page.goto(board.url);
    await page.locator('#plot-throughput .uplot').waitFor();
    mkdirSync(new URL('../../docs/', import.meta.url), { recursive: true });
    await page.screenshot({ path: new URL('../../docs/console.png', import.meta.url).pathname });
    expect(problems).toEqual([]);
  });
});
