import { Router, type Response } from 'express';
import { z } from 'zod';
import { REGISTRY } from '../../collections/registry.js';
import { COLLECTION_MODES } from '../../modes/machine.js';
import { changeMode, type ModeMove } from '../../modes/changeMode.js';
import { ModeRefusedError, ModeUsageError, modeErrorBody } from '../../modes/errors.js';
import { cutoverGates, cutoverPolicyOf, type GateProvider } from '../../modes/gates/index.js';
import { createModeNotifier } from '../../modes/notify.js';
import { readAllModes, readModeHistory } from '../../modes/storage.js';
import { collectionStatuses } from '../../status/collections.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { HttpError } from '../errors.js';
import { jsonBody, limitParam, parseWith } from '../validate.js';

export const setModeBody = z
  .strictObject({
    mode: z.enum(COLLECTION_MODES),
    reason: z.string().trim().min(1).max(2000).optional(),
    force: z.boolean().optional(),
  })
  // A forced move skips red gates: the audit trail must say why.
  .refine((body) => !body.force || body.reason !== undefined, {
    path: ['reason'],
    message: 'required when force is true',
  });

const historyQuery = z.object({ limit: limitParam(100, 1000) });

export interface CollectionsRouterOptions {
  /** Where mode changes get their gates. @defaultValue cutoverGates with the configured policy (src/modes/gates/) */
  gates?: GateProvider;
}

/**
 * Who asked. The bearer token is one shared secret and names nobody, so changes record 'api'; an auth
 * middleware that knows a named credential sets `res.locals.actor` and it is recorded instead.
 */
function actorOf(res: Response): string {
  const actor: unknown = res.locals.actor;
  return typeof actor === 'string' && actor !== '' ? actor : 'api';
}

export function collectionsRouter(deps: WorkerDeps, options: CollectionsRouterOptions = {}): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ collections: await collectionStatuses(deps) });
  });

  /**
   * 200 `{collection, mode, from, changed, change, notified}`: `change` is the audit row (null when the
   * collection was already in `mode`), `notified` whether running processes were told through Redis
   * (if not, they see the change within their cache TTL). 409 when the move is refused, naming the gate.
   */
  router.put('/:name/mode', async (req, res) => {
    const body = parseWith(setModeBody, jsonBody(req), 'body');
    const collection = req.params.name;
    REGISTRY.get(collection); // UnknownCollectionError → 400 naming it
    let move: ModeMove;
    try {
      move = await changeMode(
        deps.db,
        { collection, to: body.mode, actor: actorOf(res), reason: body.reason, force: body.force },
        { gates: options.gates ?? cutoverGates(deps.db, cutoverPolicyOf(deps.config)) },
      );
    } catch (error) {
      if (error instanceof ModeRefusedError) throw new HttpError(409, { ...modeErrorBody(error) });
      if (error instanceof ModeUsageError) throw new HttpError(400, { ...modeErrorBody(error) });
      throw error;
    }
    let notified = false;
    if (move.changed) {
      const notifier = createModeNotifier({
        redisUrl: deps.config.REDIS_URL,
        prefix: deps.config.QUEUE_PREFIX,
      });
      try {
        const result = await notifier.notify(move);
        notified = result.published;
        if (!result.published) {
          deps.log.warn({ collection, error: result.error }, 'mode change committed but not published');
        }
      } finally {
        notifier.close();
      }
    }
    res.json({
      collection,
      mode: move.to,
      from: move.from,
      changed: move.changed,
      change: move.change,
      notified,
    });
  });

  /** The collection's current mode and its recorded changes, oldest first (the newest `limit`). */
  router.get('/:name/modes', async (req, res) => {
    const collection = req.params.name;
    REGISTRY.get(collection);
    const { limit } = parseWith(historyQuery, req.query, 'query');
    const [modes, changes] = await Promise.all([
      readAllModes(deps.db),
      readModeHistory(deps.db, { collection, limit }),
    ]);
    res.json({ collection, mode: modes.get(collection) ?? 'mongo', changes });
  });

  return router;
}
