import { Router } from 'express';
import { z } from 'zod';
import { REJECT_REASONS } from '../../collections/spec.js';
import { listOpenRejects } from '../../status/rejects.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { limitParam, parseWith } from '../validate.js';

const rejectsQuery = z.object({
  collection: z.string().min(1).optional(),
  reason: z.enum(REJECT_REASONS).optional(),
  limit: limitParam(100, 1000),
  // The raw document can be large and may hold personal data: only on request.
  raw: z
    .enum(['0', '1', 'false', 'true'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
});

export function rejectsRouter(deps: WorkerDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseWith(rejectsQuery, req.query, 'query');
    res.json(await listOpenRejects(deps.db, query));
  });
  return router;
}
