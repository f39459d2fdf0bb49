import { Router } from 'express';
import { z } from 'zod';
import { REGISTRY } from '../../collections/registry.js';
import { verificationReport } from '../../verify/run/report.js';
import { startVerification } from '../../verify/run/start.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { HttpError } from '../errors.js';
import { jsonBody, parseWith, uuidParam } from '../validate.js';

export const startVerificationBody = z.strictObject({
  collections: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
  repair: z.boolean().default(false),
  /** The recheck's lag window; VERIFY_LAG_MS when absent. */
  lagMs: z.int().min(0).max(600_000).optional(),
});

/**
 * `POST /api/verifications` starts a run on the workers (202 with its id); `GET /api/verifications/:id`
 * is the run with each collection's result and mismatches, as `strangler verify --json` prints it.
 */
export function verificationsRouter(deps: WorkerDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = parseWith(startVerificationBody, jsonBody(req), 'body');
    if (body.collections !== 'all') {
      const unknown = body.collections.filter((name) => !REGISTRY.order.includes(name));
      if (unknown.length > 0) {
        const error = `unknown collection${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}`;
        throw new HttpError(400, { error, fields: { collections: [error] }, known: REGISTRY.order });
      }
    }
    const { runId, collections } = await startVerification(
      { pool: deps.db.$client, queue: deps.queues.verify, deployment: deps.deployment },
      {
        collections: body.collections,
        repair: body.repair,
        requestedBy: 'api',
        lagMs: body.lagMs ?? deps.config.VERIFY_LAG_MS,
      },
    );
    deps.log.info({ runId, collections, repair: body.repair }, 'verification started via API');
    res.status(202).json({ runId, collections, links: { self: `/api/verifications/${runId}` } });
  });

  router.get('/:id', async (req, res) => {
    const id = parseWith(uuidParam, req.params.id, 'run id');
    const report = await verificationReport(deps.db.$client, id);
    if (!report) throw new HttpError(404, { error: `no verification run ${id}` });
    res.json(report);
  });

  return router;
}
