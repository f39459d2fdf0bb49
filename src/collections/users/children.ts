import type { userPasskeys, userRefreshTokens } from '../../db/schema/index.js';
import {
  elementExtra,
  optionalDate,
  optionalInt,
  optionalString,
  subdocElements,
  type ChildRow,
  type MapBuilder,
} from '../mapping/index.js';
import { PASSKEY_SHAPE, REFRESH_TOKEN_SHAPE } from './shape.js';

type PasskeyRow = ChildRow<typeof userPasskeys, 'userId'>;
type RefreshTokenRow = ChildRow<typeof userRefreshTokens, 'userId'>;

/** `passkeys[]` → user_passkeys. Duplicates are kept: they are credentials, not a junction of ids. */
export function mapPasskeys(b: MapBuilder, value: unknown): PasskeyRow[] {
  return subdocElements(b, value, 'passkeys').map(({ ordinal, at, element: p }) => ({
    ordinal,
    credentialId: b.read(optionalString(p.credentialId, `${at}.credentialId`)),
    publicKey: b.read(optionalString(p.publicKey, `${at}.publicKey`)),
    counter: b.read(optionalInt(p.counter, `${at}.counter`, 'int8')),
    transports: b.stringArray(p.transports, `${at}.transports`),
    createdAt: b.read(optionalDate(p.createdAt, `${at}.createdAt`)),
    lastUsedAt: b.read(optionalDate(p.lastUsedAt, `${at}.lastUsedAt`)),
    legacyExtra: b.read(elementExtra(p, PASSKEY_SHAPE, at)),
  }));
}

/** `refreshTokens[]` → user_refresh_tokens, revoked ones included (the history is the point). */
export function mapRefreshTokens(b: MapBuilder, value: unknown): RefreshTokenRow[] {
  return subdocElements(b, value, 'refreshTokens').map(({ ordinal, at, element: t }) => ({
    ordinal,
    tokenHash: b.read(optionalString(t.tokenHash, `${at}.tokenHash`)),
    expiresAt: b.read(optionalDate(t.expiresAt, `${at}.expiresAt`)),
    createdAt: b.read(optionalDate(t.createdAt, `${at}.createdAt`)),
    revokedAt: b.read(optionalDate(t.revokedAt, `${at}.revokedAt`)),
    userAgent: b.read(optionalString(t.userAgent, `${at}.userAgent`)),
    legacyExtra: b.read(elementExtra(t, REFRESH_TOKEN_SHAPE, at)),
  }));
}
