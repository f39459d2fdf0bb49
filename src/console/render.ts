import { BULL_BOARD_PATH } from '../board/bullBoard.js';
import { QUEUE_NAMES } from '../queue/names.js';
import { formatCount, formatDuration, formatGateValue, formatRate } from './format.js';
import { html, type SafeHtml } from './html.js';
import type { BackfillView, CollectionOverview, ConsoleOverview } from './overview.js';

/** Where the page's own files are served (src/console/router.ts). */
export const ASSETS = '/console/assets';
/** How often the page asks for fresh rows; the README explains why polling. */
export const POLL_MS = 2_000;

function backfillCell(b: BackfillView | null): SafeHtml {
  if (!b) return html`<span class="muted">never run</span>`;
  const percent = b.fraction === null ? null : Math.round(b.fraction * 100);
  const label = `${b.status}${percent === null ? '' : `, ${percent}%`}`;
  return html`<div class="backfill">
    <progress max="100" ${percent === null ? '' : html`value="${percent}"`} aria-label="backfill progress">
      ${percent ?? 0}%
    </progress>
    <span data-field="backfill-status">${label}</span>
    <span class="muted"
      >${b.docsPerSecond === null ? '' : `${formatCount(Math.round(b.docsPerSecond))} docs/s`}${
        b.etaSeconds === null || b.etaSeconds === 0 ? '' : ` · ETA ${formatDuration(b.etaSeconds)}`
      }</span
    >
  </div>`;
}

function verificationCell(c: CollectionOverview, at: Date): SafeHtml {
  const v = c.lastVerification;
  if (!v) return html`<span class="badge none">never verified</span>`;
  const green = v.status === 'green';
  const age = (at.getTime() - new Date(v.at).getTime()) / 1000;
  return html`<span class="badge ${green ? 'ok' : 'bad'}">${green ? '✓ green' : `✗ ${v.status}`}</span>
    <span class="muted"
      >${formatDuration(age)} ago · ${formatCount(v.mismatches)}
      mismatch${v.mismatches === 1 ? '' : 'es'}</span
    >`;
}

function gatesCell(c: CollectionOverview): SafeHtml {
  if (!c.next) return html`<span class="muted">final mode</span>`;
  if (c.next.gates.length === 0) return html`<span class="muted">no gate</span>`;
  return html`<span class="muted">to ${c.next.mode}:</span>
    <ul class="gates">
      ${c.next.gates.map(
        (g) =>
          html`<li class="gate ${g.ok ? 'ok' : 'bad'}" data-gate="${g.name}" data-ok="${String(g.ok)}">
            <span aria-hidden="true">${g.ok ? '✓' : '✗'}</span>
            <span class="sr-only">${g.ok ? 'passed' : 'failed'}:</span> ${g.name}
            <span class="gate-value">${formatGateValue(g.value)}</span>
          </li>`,
      )}
    </ul>`;
}

function actionsCell(c: CollectionOverview): SafeHtml {
  const red = c.next ? c.next.gates.filter((g) => !g.ok).map((g) => g.name) : [];
  const blockedId = `blocked-${c.name}`;
  const forward = c.next
    ? html`<button
          type="button"
          data-action="move"
          data-collection="${c.name}"
          data-mode="${c.next.mode}"
          data-from="${c.mode}"
          data-direction="forward"
          ${red.length > 0 ? html`disabled aria-describedby="${blockedId}"` : ''}
        >
          Move to ${c.next.mode}</button
        >${
          red.length > 0
            ? html`<span class="blocked" id="${blockedId}"
                >blocked by gate${red.length > 1 ? 's' : ''}: ${red.join(', ')}</span
              >`
            : ''
        }`
    : '';
  return html`<div class="actions">
    <button type="button" data-action="backfill" data-collection="${c.name}">Backfill</button>
    <button type="button" data-action="verify" data-collection="${c.name}">Verify</button>
    ${forward}
    ${c.back.map(
      (mode) =>
        html`<button
          type="button"
          class="back"
          data-action="move"
          data-collection="${c.name}"
          data-mode="${mode}"
          data-from="${c.mode}"
          data-direction="back"
        >
          Back to ${mode}
        </button>`,
    )}
  </div>`;
}

function row(c: CollectionOverview, at: Date): SafeHtml {
  return html`<tr data-collection="${c.name}">
    <th scope="row">
      <button
        type="button"
        class="link"
        data-action="details"
        data-collection="${c.name}"
        aria-label="details of ${c.name}"
      >
        ${c.name}
      </button>
    </th>
    <td data-field="mode"><span class="mode mode-${c.mode}">${c.mode}</span></td>
    <td>${backfillCell(c.backfill)}</td>
    <td class="num" data-field="source">${formatCount(c.source)}</td>
    <td class="num" data-field="migrated">${formatCount(c.migrated)}</td>
    <td class="num" data-field="rejected">${formatCount(c.rejected)}</td>
    <td class="num" data-field="deleted">${formatCount(c.deleted)}</td>
    <td class="num" data-field="gapsOpen">
      ${formatCount(c.gapsOpen)}${
        c.gapsDead > 0 ? html` <span class="bad-text">(${formatCount(c.gapsDead)} dead)</span>` : ''
      }
    </td>
    <td data-field="verification">${verificationCell(c, at)}</td>
    <td data-field="shadow">
      ${formatRate(c.shadow.rate)}${
        c.shadow.compared > 0 ? html` <span class="muted">of ${formatCount(c.shadow.compared)}</span>` : ''
      }
    </td>
    <td data-field="gates">${gatesCell(c)}</td>
    <td>${actionsCell(c)}</td>
  </tr>`;
}

/** The table body alone: what the page re-fetches every POLL_MS. */
export function renderRows(overview: ConsoleOverview): SafeHtml {
  return html`${overview.collections.map((c) => row(c, overview.at))}`;
}

function runLine(overview: ConsoleOverview): SafeHtml {
  const run = overview.latestRun;
  if (!run) return html`No backfill has run yet.`;
  return html`Latest backfill <code>${run.runId.slice(0, 8)}</code>:
    <span data-field="run-status">${run.status}</span>`;
}

/** The status line above the table, swapped with the rows. */
export function renderSummary(overview: ConsoleOverview): SafeHtml {
  return html`${runLine(overview)} · updated
    <time datetime="${overview.at.toISOString()}">${overview.at.toISOString().slice(11, 19)}</time> UTC`;
}

export function renderPage(overview: ConsoleOverview): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>strangler · migration console</title>
        <link rel="icon" href="${ASSETS}/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="${ASSETS}/uPlot.min.css" />
        <link rel="stylesheet" href="${ASSETS}/console.css" />
        <script src="${ASSETS}/uPlot.iife.min.js" defer></script>
        <script type="module" src="${ASSETS}/console.js"></script>
      </head>
      <body data-poll-ms="${POLL_MS}">
        <header>
          <h1>strangler <span class="muted">migration console</span></h1>
          <nav aria-label="Related tools">
            <a href="${BULL_BOARD_PATH}">Bull Board</a>
            ${QUEUE_NAMES.map((q) => html` · <a href="${BULL_BOARD_PATH}/queue/${q}">${q} jobs</a>`)} ·
            <a href="/api/collections">JSON</a>
          </nav>
        </header>
        <main>
          <section aria-labelledby="collections-title">
            <div class="toolbar">
              <h2 id="collections-title">Collections <span class="muted">(dependency order)</span></h2>
              <p id="summary">${renderSummary(overview)}</p>
              <button type="button" data-action="backfill" data-collection="all">Backfill all</button>
              <button type="button" data-action="verify" data-collection="all">Verify all</button>
            </div>
            <div id="notice" role="status" aria-live="polite"></div>
            <div class="table-wrap">
              <table id="collections">
                <caption class="sr-only">
                  One row per collection, parents first, refreshed every ${POLL_MS / 1000} seconds
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Collection</th>
                    <th scope="col">Mode</th>
                    <th scope="col">Backfill</th>
                    <th scope="col">Source</th>
                    <th scope="col">Migrated</th>
                    <th scope="col">Rejected</th>
                    <th scope="col">Deleted</th>
                    <th scope="col">Open gaps</th>
                    <th scope="col">Last verification</th>
                    <th scope="col">Shadow-read mismatches</th>
                    <th scope="col">Next move gates</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody id="rows">
                  ${renderRows(overview)}
                </tbody>
              </table>
            </div>
          </section>
          <section aria-labelledby="plots-title" class="plots">
            <h2 id="plots-title">Trends</h2>
            <figure>
              <figcaption>Backfill throughput over the latest run (docs/s)</figcaption>
              <div id="plot-throughput" class="plot"></div>
            </figure>
            <figure>
              <figcaption>Open and dead gaps, last hour</figcaption>
              <div id="plot-gaps" class="plot"></div>
            </figure>
          </section>
          <section id="details" aria-labelledby="details-title" hidden tabindex="-1">
            <h2 id="details-title">Details</h2>
            <div id="details-body"></div>
          </section>
        </main>
        <dialog id="move-dialog" aria-labelledby="move-title">
          <form method="dialog" id="move-form">
            <h2 id="move-title">Change mode</h2>
            <p id="move-text"></p>
            <label for="move-reason">Reason (recorded in the audit trail)</label>
            <textarea id="move-reason" name="reason" required rows="3"></textarea>
            <div class="dialog-buttons">
              <button type="button" id="move-cancel">Cancel</button>
              <button type="submit" id="move-confirm" value="confirm">Confirm move</button>
            </div>
          </form>
        </dialog>
        <noscript
          ><p>Actions and live updates need JavaScript; the table above is this moment's state.</p></noscript
        >
      </body>
    </html> `.value;
}
