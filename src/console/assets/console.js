// The console's progressive enhancement: live rows (polling), the actions (each one API call), the
// move dialog. The server renders every row; this file only swaps them in and sends what a person asked.
import { api, describeError } from './api.js';
import { showDetails, refreshDetails } from './details.js';
import { refreshPlots } from './plots.js';

const POLL_MS = Number(document.body.dataset.pollMs) || 2000;
/** Plots change slowly and cost more: every PLOT_EVERY-th poll. */
const PLOT_EVERY = 5;

const rows = document.getElementById('rows');
const summary = document.getElementById('summary');
const notice = document.getElementById('notice');
const dialog = document.getElementById('move-dialog');
const moveForm = document.getElementById('move-form');
const moveText = document.getElementById('move-text');
const moveReason = document.getElementById('move-reason');

function say(text, kind = 'info') {
  notice.textContent = text;
  notice.className = `notice ${kind}`;
}

/** What has focus, as attributes that survive a re-render of the rows. */
function focusKey() {
  const active = document.activeElement;
  if (!active || !rows.contains(active) || !active.dataset.action) return null;
  const { action, collection, mode = '' } = active.dataset;
  return `[data-action="${action}"][data-collection="${collection}"]${mode ? `[data-mode="${mode}"]` : ''}`;
}

let lastRows = rows.innerHTML;
let polls = 0;

export async function refresh() {
  const fragments = await api('/console/fragments');
  summary.innerHTML = fragments.summary;
  if (fragments.rows !== lastRows) {
    const key = focusKey();
    rows.innerHTML = fragments.rows;
    lastRows = fragments.rows;
    if (key) rows.querySelector(key)?.focus();
  }
  document.body.dataset.updated = String(Date.now());
}

async function poll() {
  try {
    if (!document.hidden) {
      await refresh();
      if (polls % PLOT_EVERY === 0) await refreshPlots();
      if (polls % PLOT_EVERY === 0) await refreshDetails();
      polls += 1;
    }
  } catch (error) {
    say(`Refresh failed: ${describeError(error)}`, 'error');
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

const selection = (collection) => (collection === 'all' ? 'all' : [collection]);

async function startBackfill(collection) {
  const run = await api('/api/backfills', { method: 'POST', body: { collections: selection(collection) } });
  say(`Backfill of ${collection} started (run ${run.runId}).`);
}

async function startVerification(collection) {
  const run = await api('/api/verifications', {
    method: 'POST',
    body: { collections: selection(collection) },
  });
  say(`Verification of ${collection} started (run ${run.runId}).`);
}

let pendingMove = null;

function askMove(button) {
  const { collection, mode, from, direction } = button.dataset;
  pendingMove = { collection, mode, opener: button };
  moveText.textContent =
    direction === 'back'
      ? `Move ${collection} back from ${from} to ${mode}. A back move is never gated and takes effect at once.`
      : `Move ${collection} forward from ${from} to ${mode}. Its gates are green now; the server checks them again.`;
  moveReason.value = '';
  dialog.showModal();
  moveReason.focus();
}

async function confirmMove() {
  const move = pendingMove;
  if (!move) return;
  const reason = moveReason.value.trim();
  const result = await api(`/api/collections/${encodeURIComponent(move.collection)}/mode`, {
    method: 'PUT',
    body: { mode: move.mode, reason },
  });
  say(
    result.changed
      ? `${move.collection} moved from ${result.from} to ${result.mode}.`
      : `${move.collection} was already in ${result.mode}.`,
  );
}

moveForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!moveReason.value.trim()) {
    moveReason.setCustomValidity('Give a reason: it is recorded in the audit trail.');
    moveForm.reportValidity();
    return;
  }
  const opener = pendingMove?.opener;
  dialog.close();
  confirmMove()
    .catch((error) => say(`Move refused: ${describeError(error)}`, 'error'))
    .finally(async () => {
      pendingMove = null;
      await refresh().catch(() => undefined);
      if (opener?.isConnected) opener.focus();
    });
});
moveReason.addEventListener('input', () => moveReason.setCustomValidity(''));
document.getElementById('move-cancel').addEventListener('click', () => dialog.close());

const ACTIONS = {
  backfill: (button) => startBackfill(button.dataset.collection),
  verify: (button) => startVerification(button.dataset.collection),
  move: (button) => askMove(button),
  details: (button) => showDetails(button.dataset.collection),
};

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  const action = button && ACTIONS[button.dataset.action];
  if (!action || button.disabled) return;
  Promise.resolve(action(button))
    .then(() => (button.dataset.action === 'details' ? undefined : refresh()))
    .catch((error) => say(`${button.textContent.trim()} failed: ${describeError(error)}`, 'error'));
});

refreshPlots().catch((error) => say(`Plots failed: ${describeError(error)}`, 'error'));
setTimeout(poll, POLL_MS);
