import express from 'express';
import type { WorkerDeps } from '../workers/deps.js';
import { apiRouter } from './api/index.js';
import { basicAuth, bearerAuth } from './auth.js';
import { BULL_BOARD_PATH, bullBoardRouter } from './bullBoard.js';
import { errorHandler, notFound } from './errors.js';
import { healthz } from './health.js';
import { createMetrics, metricsHandler } from './metrics.js';

/**
 * The board process's HTTP surface.
 *
 *   /healthz, /metrics   open: probed by orchestrators and Prometheus, they reveal no data
 *   /admin/queues        Bull Board, HTTP basic auth (BOARD_USER / BOARD_PASSWORD)
 *   /api/*               JSON, `Authorization: Bearer $API_TOKEN` for every method: reads expose
 *                        document ids and raw rejected documents, so they are not public either
 */
export function createBoardApp(deps: WorkerDeps): express.Express {
  const { config } = deps;
  const log = deps.log.child({ component: 'board' });
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', healthz({ ...deps, log }));
  app.get('/metrics', metricsHandler(createMetrics({ ...deps, log })));
  app.use(BULL_BOARD_PATH, basicAuth(config.BOARD_USER, config.BOARD_PASSWORD), bullBoardRouter(deps));
  // Auth runs before the body is parsed, so an anonymous client cannot make the server parse 100 kB.
  app.use(
    '/api',
    bearerAuth(config.API_TOKEN),
    express.json({ limit: '100kb' }),
    apiRouter({ ...deps, log }),
  );

  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
