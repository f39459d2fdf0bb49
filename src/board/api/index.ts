import { Router } from 'express';
import type { WorkerDeps } from '../../workers/deps.js';
import { backfillsRouter } from './backfills.js';
import { collectionsRouter } from './collections.js';
import { consoleApiRouter } from './console.js';
import { gapsRouter } from './gaps.js';
import { rejectsRouter } from './rejects.js';
import { verificationsRouter } from './verifications.js';

/** The JSON API, mounted under /api behind the bearer token. */
export function apiRouter(deps: WorkerDeps): Router {
  const router = Router();
  router.use('/backfills', backfillsRouter(deps));
  router.use('/collections', collectionsRouter(deps));
  router.use('/console', consoleApiRouter(deps));
  router.use('/gaps', gapsRouter(deps));
  router.use('/rejects', rejectsRouter(deps));
  router.use('/verifications', verificationsRouter(deps));
  return router;
}
