import { Router } from 'express';
import { z } from 'zod';
import { REGISTRY } from '../../collections/registry.js';
import { collectionStatuses } from '../../status/collections.js';
import type { WorkerDeps } from '../../workers/deps.js';
import { HttpError } from '../errors.js';
import { jsonBody, parseWith } from '../validate.js';

export const COLLECTION_MODES = ['mongo', 'dual', 'pg', 'decommissioned'] as const;
export const setModeBody = z.strictObject({ mode: z.enum(COLLECTION_MODES) });

export function collectionsRouter(deps: WorkerDeps): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.json({ collections: await collectionStatuses(deps) });
  });

  // Mode changes arrive with the cutover gates (a later issue). The shape is validated already so that
  // clients written against it fail the same way now as later.
  router.put('/:name/mode', (req) => {
    parseWith(setModeBody, jsonBody(req), 'body');
    REGISTRY.get(req.params.name); // UnknownCollectionError → 400 naming it
    throw new HttpError(501, { error: 'not implemented yet' });
  });

  return router;
}
