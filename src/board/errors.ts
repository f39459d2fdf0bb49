import { DrizzleQueryError } from 'drizzle-orm';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { UnknownCollectionError } from '../collections/registry.js';

/** An error the API answers with its own status and JSON body instead of a 500. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.error === 'string' ? body.error : `HTTP ${status}`);
  }
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'not found', path: req.path });
};

/** body-parser's own errors carry a 4xx `status` and `expose: true` (malformed JSON, body too large). */
function clientError(error: unknown): { status: number; type?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose, type } = error as { status?: unknown; expose?: unknown; type?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    return { status, type: typeof type === 'string' ? type : undefined };
  }
  return undefined;
}

/**
 * The message a 500 shows. Drizzle wraps driver errors as "Failed query: <sql> params: <values>", which
 * would put query parameters (document ids) in the body; the driver's own message says what went wrong.
 */
function publicMessage(error: unknown): string {
  if (!(error instanceof Error)) return 'internal error';
  if (error instanceof DrizzleQueryError && error.cause?.message) {
    return error.cause.message;
  }
  return error.message || 'internal error';
}

/** The last middleware: every error becomes JSON; a 5xx is logged in full and answered without a stack. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof HttpError) {
      res.status(error.status).json(error.body);
      return;
    }
    if (error instanceof UnknownCollectionError) {
      res
        .status(400)
        .json({ error: `unknown collection "${error.collection}"`, collection: error.collection });
      return;
    }
    const client = clientError(error);
    if (client) {
      const message =
        client.type === 'entity.parse.failed' ? 'body is not valid JSON' : (error as Error).message;
      res.status(client.status).json({ error: message });
      return;
    }
    log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: publicMessage(error) });
  };
}
