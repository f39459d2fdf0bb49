import express from 'express';
import { consoleRouter } from '../console/router.js';
import type { WorkerDeps } from '../workers/deps.js';
import { apiRouter } from './api/index.js';
import { authenticate } from './auth.js';
import { BULL_BOARD_PATH, bullBoardRouter } from './bullBoard.js';
import { resolveCredentials } from './credentials.js';
import { errorHandler, notFound } from './errors.js';
import { healthz } from './health.js';
import { createMetrics, metricsHandler } from './metrics.js';
import { securityHeaders } from './security.js';

/**
 * The board process's HTTP surface. Every response carries helmet's headers (src/board/security.ts).
 *
 *   /healthz, /metrics   open: probed by orchestrators and Prometheus, they reveal no data
 *   /admin/queues        Bull Board
 *   /api/*               JSON
 *   /                    the migration console (src/console)
 *
 * Everything but the probes sits behind one gate (src/board/auth.ts): the named credentials of
 * BOARD_CREDENTIALS (or BOARD_USER/BOARD_PASSWORD and API_TOKEN), as basic auth or a bearer token;
 * any role reads, only `operator` uses other methods, and a basic-auth write must be same-origin.
 * The gate runs before any body parser, so neither an anonymous client nor a cross-site form post
 * makes the server parse a body.
 */
export function createBoardApp(deps: WorkerDeps): express.Express {
  const log = deps.log.child({ component: 'board' });
  const credentials = resolveCredentials(deps.config);
  const page = authenticate(credentials, { challenge: 'basic' });
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders(BULL_BOARD_PATH));

  app.get('/healthz', healthz({ ...deps, log }));
  app.get('/metrics', metricsHandler(createMetrics({ ...deps, log })));
  app.use(BULL_BOARD_PATH, page, bullBoardRouter(deps));
  app.use(
    '/api',
    authenticate(credentials, { challenge: 'bearer' }),
    express.json({ limit: '100kb' }),
    apiRouter({ ...deps, log }),
  );
  // Last before notFound: any other path answers 401 to a stranger, so it cannot probe what exists.
  app.use('/', page, consoleRouter(deps));

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
