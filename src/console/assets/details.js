// A collection's drill-down: its mismatches, rejects by reason (with the raw document), open and dead
// gaps, mode history and verification history. Every list is one GET of the JSON API, rendered as text.
import { api, describeError, el, formatTime } from './api.js';
import { plot } from './plots.js';

const section = document.getElementById('details');
const title = document.getElementById('details-title');
const body = document.getElementById('details-body');
let current = null;

function table(caption, headers, rows) {
  if (rows.length === 0) return el('p', { class: 'muted' }, `${caption}: none.`);
  return el(
    'table',
    { class: 'detail' },
    el('caption', {}, caption),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((cells) =>
        el(
          'tr',
          {},
          cells.map((c) => el('td', {}, c)),
        ),
      ),
    ),
  );
}

async function mismatches(name) {
  const { collections } = await api('/api/collections');
  const last = collections.find((c) => c.name === name)?.lastVerification;
  if (!last) return el('p', { class: 'muted' }, 'Never verified.');
  const report = await api(`/api/verifications/${last.runId}`);
  const mine = report.collections.find((c) => c.name === name);
  const list = mine?.mismatches ?? [];
  return table(
    `Mismatches of the last verification (${last.status}, ${formatTime(last.at)})`,
    ['Legacy id', 'Kind', 'Differing columns', 'Status'],
    list.map((m) => [el('code', {}, m.id), m.kind, m.columns.join(', ') || '—', m.status]),
  );
}

function retryButton(label, run) {
  const button = el('button', { type: 'button' }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    const status = document.getElementById('notice');
    try {
      status.textContent = await run();
      status.className = 'notice info';
    } catch (error) {
      status.textContent = `${label} failed: ${describeError(error)}`;
      status.className = 'notice error';
    } finally {
      button.disabled = false;
      await refreshDetails();
    }
  });
  return button;
}

async function rejects(name) {
  const { total, rejects: list } = await api(
    `/api/rejects?collection=${encodeURIComponent(name)}&raw=1&limit=200`,
  );
  const byReason = new Map();
  for (const r of list) byReason.set(r.reason, [...(byReason.get(r.reason) ?? []), r]);
  const retry = retryButton(`Retry rejects of ${name}`, async () => {
    const r = await api('/api/console/rejects/retry', { method: 'POST', body: { collection: name } });
    return `Retried ${r.documents} rejected document(s) of ${name}: ${r.migrated} migrated, ${r.stillRejected} still rejected, ${r.missing} gone from MongoDB.`;
  });
  return el(
    'div',
    {},
    el('h3', {}, `Rejects (${total} open)`),
    total > 0 ? retry : null,
    [...byReason].map(([reason, items]) =>
      table(
        `${reason}: ${items.length}${total > list.length ? ' (first 200 listed)' : ''}`,
        ['Legacy id', 'Field', 'Message', 'Raw document'],
        items.map((r) => [
          el('code', {}, r.legacyId),
          r.field ?? '—',
          r.message,
          el('details', {}, el('summary', {}, 'raw'), el('pre', {}, JSON.stringify(r.raw, null, 2))),
        ]),
      ),
    ),
  );
}

async function gaps(name) {
  const result = await api(`/api/gaps?collection=${encodeURIComponent(name)}&status=open,dead&limit=200`);
  const retry = retryButton(`Retry dead gaps of ${name}`, async () => {
    const r = await api('/api/console/gaps/retry-dead', { method: 'POST', body: { collection: name } });
    return `Reopened ${r.reopened} dead gap(s) of ${name}.`;
  });
  return el(
    'div',
    {},
    el('h3', {}, `Gaps (${result.open} open, ${result.dead} dead)`),
    result.dead > 0 ? retry : null,
    table(
      'Open and dead gaps',
      ['Legacy id', 'Direction', 'Op', 'Status', 'Attempts', 'First seen', 'Last error'],
      result.gaps.map((g) => [
        el('code', {}, g.legacyId),
        g.direction,
        g.op,
        g.status,
        String(g.attempts),
        formatTime(g.firstSeenAt),
        g.lastError ?? '—',
      ]),
    ),
  );
}

async function modes(name) {
  const { mode, changes } = await api(`/api/collections/${encodeURIComponent(name)}/modes`);
  return el(
    'div',
    {},
    el('h3', {}, `Mode history (now ${mode})`),
    table(
      'Mode changes, oldest first',
      ['When', 'From', 'To', 'Who', 'Reason', 'Forced'],
      changes.map((c) => [
        formatTime(c.changedAt),
        c.from,
        c.to,
        c.actor,
        c.reason ?? '—',
        c.forced ? 'yes' : 'no',
      ]),
    ),
  );
}

async function verifications(name) {
  const { results } = await api(`/api/console/collections/${encodeURIComponent(name)}/verifications`);
  const wrap = el(
    'div',
    {},
    el('h3', {}, 'Verification history'),
    el('div', {
      id: 'plot-verifications',
      class: 'plot',
      role: 'img',
      'aria-label': 'confirmed mismatches per verification',
    }),
    table(
      'Finished verifications, newest first',
      ['Finished', 'Status', 'Confirmed mismatches'],
      results.map((r) => [
        formatTime(r.finishedAt),
        el('span', { class: `badge ${r.status === 'green' ? 'ok' : 'bad'}` }, r.status),
        String(r.mismatches),
      ]),
    ),
  );
  return { wrap, results };
}

async function render(name) {
  const [m, r, g, h, v] = await Promise.all([
    mismatches(name),
    rejects(name),
    gaps(name),
    modes(name),
    verifications(name),
  ]);
  if (current !== name) return;
  const open = [...body.querySelectorAll('details[open]')].map((d) => d.closest('tr')?.textContent);
  body.replaceChildren(el('h3', {}, 'Mismatches'), m, r, g, h, v.wrap);
  for (const d of body.querySelectorAll('details')) {
    if (open.includes(d.closest('tr')?.textContent)) d.open = true;
  }
  const points = [...v.results].reverse();
  plot(
    'plot-verifications',
    {
      labels: ['confirmed mismatches'],
      data: [points.map((p) => new Date(p.finishedAt).getTime() / 1000), points.map((p) => p.mismatches)],
    },
    { colors: ['#b3261e'] },
  );
}

export async function showDetails(name) {
  current = name;
  section.hidden = false;
  title.textContent = `Details: ${name}`;
  body.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  await render(name);
  section.focus();
}

export async function refreshDetails() {
  if (current) await render(current);
}
