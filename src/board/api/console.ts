import { Router } from 'express';
import { z } from 'zod';
import { listRuns } from '../../backfill/progress.js';
import { retryRejects } from '../../backfill/retry.js';
import { REGISTRY } from '../../collections/registry.js';
import { REJECT_REASONS } from '../../collections/spec.js';
import { consoleOverview } from '../../console/overview.js';
import { openGapsSeries, throughputSeries, verificationHistory } from '../../console/series.js';
import { reopenDeadGaps } from '../../gaps/sql/reopenDeadGaps.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { HttpError } from '../errors.js';
import { jsonBody, limitParam, parseWith, uuidParam } from '../validate.js';

const retryRejectsBody = z.strictObject({
  collection: z.string().min(1),
  reason: z.enum(REJECT_REASONS).optional(),
});
const retryDeadGapsBody = z.strictObject({ collection: z.string().min(1).optional() });
const throughputQuery = z.object({ run: uuidParam.optional() });
const historyQuery = z.object({ limit: limitParam(50, 500) });

/**
 * `/api/console/*`: what the migration console reads beyond the rest of the API, computed by the
 * library functions the CLI uses (`consoleOverview` wraps `collectionStatuses`, `cutoverGates`,
 * `shadowReadSummary`), plus the two repairs the CLI has and the API lacked (`rejects --retry`,
 * `gaps --retry-dead`), calling the very same functions.
 */
export function consoleApiRouter(deps: WorkerDeps): Router {
  const router = Router();

  /** Every collection in dependency order: status, next move with its gates, shadow reads, backfill. */
  router.get('/overview', async (_req, res) => {
    res.json(await consoleOverview(deps));
  });

  /** The gates of a collection's next forward move (empty `gates` at the end of the machine). */
  router.get('/collections/:name/gates', async (req, res) => {
    const name = req.params.name;
    REGISTRY.get(name);
    const row = (await consoleOverview(deps)).collections.find((c) => c.name === name);
    res.json({ collection: name, mode: row?.mode, next: row?.next ?? null });
  });

  router.get('/collections/:name/verifications', async (req, res) => {
    const name = req.params.name;
    REGISTRY.get(name);
    const { limit } = parseWith(historyQuery, req.query, 'query');
    res.json({ collection: name, results: await verificationHistory(deps.db.$client, name, limit) });
  });

  /** Docs/s over a run (?run=, default the newest). */
  router.get('/throughput', async (req, res) => {
    const { run } = parseWith(throughputQuery, req.query, 'query');
    const runId = run ?? (await listRuns(deps.db, 1))[0]?.runId;
    if (!runId) {
      res.json({ runId: null, labels: ['docs/s'], data: [[], []] });
      return;
    }
    res.json({ runId, ...(await throughputSeries(deps.db.$client, runId)) });
  });

  router.get('/gaps/history', async (_req, res) => {
    res.json(await openGapsSeries(deps.db.$client, 60));
  });

  /** `strangler rejects --collection c [--reason r] --retry`. */
  router.post('/rejects/retry', async (req, res) => {
    const body = parseWith(retryRejectsBody, jsonBody(req), 'body');
    REGISTRY.get(body.collection);
    const result = await retryRejects(deps, { collection: body.collection, reason: body.reason });
    deps.log.info({ ...body, result }, 'rejects retried via API');
    res.json(result);
  });

  /** `strangler gaps [--collection c] --retry-dead`. */
  router.post('/gaps/retry-dead', async (req, res) => {
    const body = parseWith(retryDeadGapsBody, jsonBody(req), 'body');
    if (body.collection !== undefined && !REGISTRY.order.includes(body.collection)) {
      throw new HttpError(400, { error: `unknown collection "${body.collection}"`, known: REGISTRY.order });
    }
    const reopened = await reopenDeadGaps(deps.db.$client, { collection: body.collection });
    deps.log.info({ ...body, reopened }, 'dead gaps reopened via API');
    res.json({ reopened });
  });

  return router;
}
