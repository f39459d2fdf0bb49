import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { isSafeMethod, mayUse, type BoardCredentials, type BoardIdentity } from './credentials.js';
import { isSameOrigin } from './security.js';

/**
 * Constant-time string comparison. Both sides are hashed first so that inputs of different lengths
 * compare in the same time too (timingSafeEqual alone throws on a length mismatch, which leaks it).
 */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The credential a request presents, if any matches. Every credential is compared (no early exit),
 * so timing tells neither which entry matched nor which half of a basic pair was wrong.
 */
export function identify(req: Request, credentials: BoardCredentials): BoardIdentity | undefined {
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header)?.[1];
  let found: BoardIdentity | undefined;
  if (bearer) {
    for (const c of credentials.accepted) {
      if (c.schemes.includes('bearer') && safeEqual(bearer, c.secret) && !found) {
        found = { name: c.name, role: c.role, scheme: 'bearer' };
      }
    }
  } else if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    for (const c of credentials.accepted) {
      const userOk = safeEqual(user, c.name);
      const passwordOk = safeEqual(password, c.secret);
      if (c.schemes.includes('basic') && userOk && passwordOk && !found) {
        found = { name: c.name, role: c.role, scheme: 'basic' };
      }
    }
  }
  return found;
}

export interface AuthOptions {
  /**
   * What a 401 offers. `basic` for pages (Bull Board, the console), so the browser prompts; `bearer`
   * for the JSON API, whose clients are scripts (the console's own calls carry the browser's basic auth).
   */
  readonly challenge: 'basic' | 'bearer';
}

/**
 * The board's one gate, for the console, Bull Board and the API alike, mounted before any body parser:
 *
 *   no matching credential                     401 (challenge per mount)
 *   basic auth + unsafe method + cross-site    403 cross-site request refused   (the browser sends basic
 *                                              auth on its own; it never adds a bearer token by itself)
 *   viewer + unsafe method                     403 forbidden, needs operator
 *   otherwise                                  next(), with res.locals.actor / res.locals.role set
 */
export function authenticate(credentials: BoardCredentials, options: AuthOptions): RequestHandler {
  const challenge =
    options.challenge === 'basic'
      ? 'Basic realm="strangler board", charset="UTF-8"'
      : 'Bearer realm="strangler api"';
  return (req, res, next) => {
    const identity = identify(req, credentials);
    if (!identity) {
      res.set('WWW-Authenticate', challenge);
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    if (identity.scheme === 'basic' && !isSafeMethod(req.method) && !isSameOrigin(req)) {
      res.status(403).json({ error: 'cross-site request refused' });
      return;
    }
    if (!mayUse(identity.role, req.method)) {
      res.status(403).json({ error: 'forbidden', role: identity.role, needs: 'operator' });
      return;
    }
    res.locals.actor = identity.name;
    res.locals.role = identity.role;
    next();
  };
}
