import { Router } from 'express';
import { z } from 'zod';
import { listOpenGaps } from '../../status/gaps.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { limitParam, parseWith } from '../validate.js';

export function gapsRouter(deps: WorkerDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { limit } = parseWith(z.object({ limit: limitParam(100, 1000) }), req.query, 'query');
    res.json(await listOpenGaps(deps.db, limit));
  });
  return router;
}
