import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Router, type Response } from 'express';
import type { WorkerDeps } from '../workers/deps.js';
import { consoleOverview } from './overview.js';
import { ASSETS, renderPage, renderRows, renderSummary } from './render.js';

const require = createRequire(import.meta.url);
const OWN_ASSETS = fileURLToPath(new URL('./assets/', import.meta.url));

/** Every file the page loads, by the name it asks for: nothing else is served from ASSETS, nothing from a CDN. */
const FILES: Readonly<Record<string, { path: string; type: string }>> = {
  'console.js': { path: `${OWN_ASSETS}console.js`, type: 'text/javascript' },
  'details.js': { path: `${OWN_ASSETS}details.js`, type: 'text/javascript' },
  'plots.js': { path: `${OWN_ASSETS}plots.js`, type: 'text/javascript' },
  'api.js': { path: `${OWN_ASSETS}api.js`, type: 'text/javascript' },
  'console.css': { path: `${OWN_ASSETS}console.css`, type: 'text/css' },
  'favicon.svg': { path: `${OWN_ASSETS}favicon.svg`, type: 'image/svg+xml' },
  'uPlot.iife.min.js': { path: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript' },
  'uPlot.min.css': { path: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css' },
};

/**
 * The page's own policy, the same as the board's: no inline script or style anywhere, so an injected
 * `<script>` in a document id or a reject's raw JSON could not run even if escaping failed.
 */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store');
  res.set('Content-Security-Policy', CSP);
}

/**
 * The migration console: the page at `/` rendered on the server from `consoleOverview` (so it shows
 * the state without JavaScript), its table body and status line as HTML fragments that the page polls,
 * and its static files. Mounted behind the board's authentication; every action the page takes is a
 * call to `/api`.
 */
export function consoleRouter(deps: WorkerDeps): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const overview = await consoleOverview(deps);
    noStore(res);
    res.type('html').send(renderPage(overview));
  });

  /** `{rows, summary}` as HTML: rendered by the same functions as the page, so a refresh cannot disagree. */
  router.get('/console/fragments', async (_req, res) => {
    const overview = await consoleOverview(deps);
    noStore(res);
    res.json({ rows: renderRows(overview).value, summary: renderSummary(overview).value });
  });

  router.get(`${ASSETS}/:file`, (req, res, next) => {
    const file = FILES[req.params.file];
    if (!file) return next();
    res.set('Content-Security-Policy', CSP);
    res.type(file.type).sendFile(file.path, { maxAge: 0 });
  });

  return router;
}
