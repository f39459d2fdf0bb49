import type { Request } from 'express';
import { z } from 'zod';
import { HttpError } from './errors.js';

/**
 * A 400 body that names each bad field: `z.flattenError`'s field errors, plus unknown keys of a strict
 * object listed under their own name (zod reports those on the object itself, which names no field).
 */
export function invalid(what: string, error: z.ZodError): HttpError {
  const flat = z.flattenError(error);
  const fields: Record<string, string[]> = { ...(flat.fieldErrors as Record<string, string[]>) };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
      for (const key of issue.keys) fields[key] = ['unknown field'];
    }
  }
  return new HttpError(400, { error: `invalid ${what}`, fields, formErrors: flat.formErrors });
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(what, parsed.error);
  return parsed.data;
}

/**
 * The JSON body of a mutation. No body at all counts as `{}` (every field has a default); a body that
 * is not JSON is refused rather than silently ignored, which is what express.json() alone would do.
 */
export function jsonBody(req: Request): unknown {
  // Not req.is() alone: it counts `Content-Length: 0` (what fetch sends for a bare POST) as a body.
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (req.headers['content-length'] ?? '0') === '0') return {};
  if (req.is('application/json') !== 'application/json') {
    throw new HttpError(400, { error: 'body must be JSON (Content-Type: application/json)' });
  }
  return req.body;
}

/** `?limit=` with a default and a ceiling. */
export const limitParam = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** Route ids that Postgres would accept as uuid (any version: `z.uuid()` checks the RFC variant bits). */
export const uuidParam = z.guid();
