import { Router } from 'express';
import type { WorkerDeps } from '../../workers/deps.js';
import { HttpError } from '../errors.js';
import { backfillsRouter } from './backfills.js';
import { collectionsRouter } from './collections.js';
import { gapsRouter } from './gaps.js';
import { rejectsRouter } from './rejects.js';

/** The JSON API, mounted under /api behind the bearer token. */
export function apiRouter(deps: WorkerDeps): Router {
  const router = Router();
  router.use('/backfills', backfillsRouter(deps));
  router.use('/collections', collectionsRouter(deps));
  router.use('/gaps', gapsRouter(deps));
  router.use('/rejects', rejectsRouter(deps));
  // Verification runs arrive with the verifier (a later issue); the route exists so clients see 501.
  router.post('/verifications', () => {
    throw new HttpError(501, { error: 'not implemented yet' });
  });
  return router;
}
