import { Router } from 'express';
import { z } from 'zod';
import { countFallbackRecords } from '../../gaps/fallbackStore.js';
import { GAP_DIRECTIONS, GAP_STATUSES, listGaps, summarizeGaps, type GapStatus } from '../../status/gaps.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { limitParam, parseWith } from '../validate.js';

const statusList = z
  .string()
  .default('open')
  .transform((value) => [...new Set(value.split(',').map((s) => s.trim()))])
  .pipe(z.array(z.enum(GAP_STATUSES)).min(1));

const query = z.object({
  limit: limitParam(100, 1000),
  status: statusList,
  collection: z.string().min(1).optional(),
  direction: z.enum(GAP_DIRECTIONS).optional(),
});

/**
 * GET /api/gaps: the dual-write gaps.
 *
 *   ?status=open|dead|resolved (comma-separated; default open), ?collection= and
 *   ?direction=forward|reverse filter the list; `total` counts what matches, `gaps` is its first
 *   `limit`, next due first.
 *   `open`, `dead`, `oldestOpenAgeSeconds`, `byCollection` (per collection and direction) and
 *   `byDirection` ({forward, reverse}, each {open, dead, oldestOpenAgeSeconds}) summarise every
 *   unresolved gap of the collection and direction filters, whatever ?status says; `pendingInFallback`
 *   counts the records waiting in MongoDB for Postgres to take them (null when MongoDB does not answer;
 *   the fallback store holds both directions and is not split).
 */
export function gapsRouter(deps: WorkerDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { limit, status, collection, direction } = parseWith(query, req.query, 'query');
    const [list, summary, pendingInFallback] = await Promise.all([
      listGaps(deps.db, { statuses: status as GapStatus[], collection, direction, limit }),
      summarizeGaps(deps.db, { collection, direction }),
      countFallbackRecords(deps.mongo, collection).catch((error: unknown) => {
        deps.log.warn({ err: error }, 'gaps: cannot count the fallback store');
        return null;
      }),
    ]);
    res.json({ ...list, ...summary, pendingInFallback });
  });
  return router;
}
