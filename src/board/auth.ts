import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * Constant-time string comparison. Both sides are hashed first so that inputs of different lengths
 * compare in the same time too (timingSafeEqual alone throws on a length mismatch, which leaks it).
 */
export function safeEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** HTTP basic auth for the Bull Board UI: browsers prompt for it, and Bull Board itself has no auth. */
export function basicAuth(user: string, password: string, realm = 'strangler board'): RequestHandler {
  return (req, res, next) => {
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() === 'basic' && encoded) {
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        // Both checks always run (no short circuit), so timing does not tell which half was wrong.
        const userOk = safeEqual(decoded.slice(0, colon), user);
        const passwordOk = safeEqual(decoded.slice(colon + 1), password);
        if (userOk && passwordOk) return next();
      }
    }
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    res.status(401).json({ error: 'unauthorized' });
  };
}

/** `Authorization: Bearer <API_TOKEN>` for the JSON API. */
export function bearerAuth(token: string): RequestHandler {
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (match?.[1] && safeEqual(match[1], token)) return next();
    res.set('WWW-Authenticate', 'Bearer realm="strangler api"');
    res.status(401).json({ error: 'unauthorized' });
  };
}
