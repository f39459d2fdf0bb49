import { Router } from 'express';
import { z } from 'zod';
import { RunConflictError, startBackfill } from '../../backfill/start.js';
import { getRunProgress, listRuns } from '../../backfill/progress.js';
import { REGISTRY, UnknownCollectionError } from '../../collections/registry.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { HttpError } from '../errors.js';
import { jsonBody, limitParam, parseWith, uuidParam } from '../validate.js';

/** Bounds of a chunk: below 100 the per-job overhead dominates; above 50000 one transaction gets too long. */
export const startBackfillBody = z.strictObject({
  collections: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).default('all'),
  since: z.iso.datetime({ offset: true }).optional(),
  chunkSize: z.int().min(100).max(50_000).optional(),
});

/** Every unknown name at once (the engine would stop at the first). */
function unknownCollections(names: readonly string[]): string[] {
  return names.filter((name) => {
    try {
      REGISTRY.get(name);
      return false;
    } catch (error) {
      if (error instanceof UnknownCollectionError) return true;
      throw error;
    }
  });
}

export function backfillsRouter(deps: WorkerDeps): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = parseWith(startBackfillBody, jsonBody(req), 'body');
    if (body.collections !== 'all') {
      const unknown = unknownCollections(body.collections);
      if (unknown.length > 0) {
        const error = `unknown collection${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}`;
        throw new HttpError(400, { error, fields: { collections: [error] }, known: REGISTRY.order });
      }
    }
    const { runId } = await startBackfill(deps, {
      collections: body.collections,
      since: body.since === undefined ? undefined : new Date(body.since),
      chunkSize: body.chunkSize,
    }).catch((error: unknown) => {
      if (!(error instanceof RunConflictError)) throw error;
      // 409: the request is fine, the state is not; it can be repeated once the live run has ended.
      throw new HttpError(409, {
        error: error.message,
        runId: error.runId,
        conflicts: error.conflicts,
        links: { run: `/api/backfills/${error.runId}` },
      });
    });
    deps.log.info({ runId, collections: body.collections, since: body.since }, 'backfill started via API');
    res.status(202).json({ runId, links: { self: `/api/backfills/${runId}` } });
  });

  router.get('/', async (req, res) => {
    const { limit } = parseWith(z.object({ limit: limitParam(20, 100) }), req.query, 'query');
    res.json({ runs: await listRuns(deps.db, limit) });
  });

  router.get('/:id', async (req, res) => {
    const id = parseWith(uuidParam, req.params.id, 'run id');
    const progress = await getRunProgress(deps.db, id);
    if (!progress) throw new HttpError(404, { error: `no backfill run ${id}` });
    res.json(progress);
  });

  return router;
}
