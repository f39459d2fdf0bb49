import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Response headers and the same-origin rule for the board.
 *
 * The console and the API get a CSP without any 'unsafe-inline'. Bull Board's UI cannot live under it:
 * its HTML has inline style attributes and a <style> block, and its JSON viewer (CodeMirror) injects
 * <style> elements at run time, so under /admin/queues, and there only, styles allow 'unsafe-inline'
 * (and Google Fonts, which its HTML links). Its scripts are all files, so script-src stays 'self'.
 * No upgrade-insecure-requests: the board is often reached over plain http on a private network.
 */

const STRICT_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  objectSrc: ["'none'"],
};

const BULL_BOARD_DIRECTIVES = {
  ...STRICT_DIRECTIVES,
  styleSrc: ["'self'", "'unsafe-inline'", 'https://fonts.googleapis.com'],
  fontSrc: ["'self'", 'https://fonts.gstatic.com', 'data:'],
};

const headers = (directives: typeof STRICT_DIRECTIVES) =>
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    referrerPolicy: { policy: 'no-referrer' },
    // frame-ancestors 'none' for browsers that still read only the older header.
    xFrameOptions: { action: 'deny' },
  });

/** Helmet on every response, with Bull Board's looser style policy under `bullBoardPath` only. */
export function securityHeaders(bullBoardPath: string): RequestHandler {
  const strict = headers(STRICT_DIRECTIVES);
  const bullBoard = headers(BULL_BOARD_DIRECTIVES);
  return (req, res, next) => {
    const underBullBoard = req.path === bullBoardPath || req.path.startsWith(`${bullBoardPath}/`);
    (underBullBoard ? bullBoard : strict)(req, res, next);
  };
}

/**
 * Whether a request comes from the board's own pages: its Origin is the request's own scheme and host,
 * or, from a browser that sent no Origin, `Sec-Fetch-Site: same-origin`. A cross-site form post carries
 * the attacker's Origin (or `null`), and neither header can be forged by a page in a browser.
 * X-Forwarded-Proto counts as the scheme too, for a TLS proxy in front.
 */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return req.headers['sec-fetch-site'] === 'same-origin';
  const host = req.headers.host;
  if (!host) return false;
  let given: URL;
  let own: URL;
  try {
    given = new URL(origin);
    own = new URL(`${given.protocol}//${host}`);
  } catch {
    return false; // `Origin: null` (sandboxed frames, some redirects) lands here
  }
  if (given.origin !== own.origin) return false;
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')
    .map((proto) => proto.trim().toLowerCase());
  const scheme = given.protocol.slice(0, -1);
  return scheme === req.protocol || forwarded[0] === scheme;
}
