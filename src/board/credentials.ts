import { CONFIG_DEFAULTS, type BoardCredential, type BoardRole, type Config } from '../config/env.js';

/**
 * Who may use the board, resolved once from the config.
 *
 * BOARD_CREDENTIALS set: its entries, each accepted as basic auth (user = name, password = secret) or as
 * `Authorization: Bearer <secret>`. Absent: the older variables, both operators: BOARD_USER /
 * BOARD_PASSWORD (basic) and API_TOKEN, named `api` (bearer).
 */

export type AuthScheme = 'basic' | 'bearer';

export interface BoardIdentity {
  readonly name: string;
  readonly role: BoardRole;
  readonly scheme: AuthScheme;
}

export interface AcceptedCredential extends BoardCredential {
  readonly schemes: readonly AuthScheme[];
}

export interface BoardCredentials {
  readonly accepted: readonly AcceptedCredential[];
  /**
   * Which built-in defaults are in force (empty with BOARD_CREDENTIALS). Any one of them lets a reader of
   * the source in as operator, so the board then stays on loopback (src/board/server.ts).
   */
  readonly builtInDefaults: readonly ('BOARD_PASSWORD' | 'API_TOKEN')[];
}

export function resolveCredentials(config: Config): BoardCredentials {
  if (config.BOARD_CREDENTIALS !== undefined) {
    return {
      accepted: config.BOARD_CREDENTIALS.map((c) => ({ ...c, schemes: ['basic', 'bearer'] as const })),
      builtInDefaults: [],
    };
  }
  const builtInDefaults: ('BOARD_PASSWORD' | 'API_TOKEN')[] = [];
  if (config.BOARD_PASSWORD === CONFIG_DEFAULTS.BOARD_PASSWORD) builtInDefaults.push('BOARD_PASSWORD');
  if (config.API_TOKEN === CONFIG_DEFAULTS.API_TOKEN) builtInDefaults.push('API_TOKEN');
  return {
    accepted: [
      { name: config.BOARD_USER, role: 'operator', secret: config.BOARD_PASSWORD, schemes: ['basic'] },
      { name: 'api', role: 'operator', secret: config.API_TOKEN, schemes: ['bearer'] },
    ],
    builtInDefaults,
  };
}

/** Methods that change nothing: any role may use them, and they need no same-origin check. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** What a role may do: viewers read, operators also start runs, retry jobs and change modes. */
export function mayUse(role: BoardRole, method: string): boolean {
  switch (role) {
    case 'operator':
      return true;
    case 'viewer':
      return isSafeMethod(method);
    default: {
      const unknownRole: never = role;
      throw new Error(`unknown board role ${String(unknownRole)}`);
    }
  }
}
