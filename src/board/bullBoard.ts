import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import { QUEUE_NAMES } from '../queue/names.js';
import type { WorkerDeps } from '../workers/deps.js';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board for the three queues. Not read-only: operators retry and clean jobs from it, which is why
 * the app puts basic auth in front (Bull Board has none of its own).
 */
export function bullBoardRouter(deps: WorkerDeps): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(deps.queues[name])),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'strangler' } },
  });
  return serverAdapter.getRouter() as Router;
}
