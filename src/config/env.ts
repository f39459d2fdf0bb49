import { z } from 'zod';

/**
 * The environment, parsed once at the edge (STYLE.md §5). Nothing below src/config reads process.env:
 * commands call loadConfig() and pass the typed result inward.
 */

const url = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL` },
    );

export const BOARD_ROLES = ['viewer', 'operator'] as const;
export type BoardRole = (typeof BOARD_ROLES)[number];
export interface BoardCredential {
  readonly name: string;
  readonly role: BoardRole;
  readonly secret: string;
}

/**
 * BOARD_CREDENTIALS: `name:role:secret,name:role:secret`. The secret is everything after the second
 * colon (it may hold colons, not commas). Issues name the entry by position, never by its secret.
 */
const boardCredentials = z
  .string()
  .trim()
  .transform((value, ctx): BoardCredential[] => {
    const credentials: BoardCredential[] = [];
    const entries = value.split(',').map((entry) => entry.trim());
    entries.forEach((entry, index) => {
      const [name = '', role = '', ...rest] = entry.split(':');
      const secret = rest.join(':');
      const where = `entry ${index + 1}`;
      if (!/^[\w.@-]+$/.test(name) || rest.length === 0) {
        ctx.addIssue({ code: 'custom', message: `${where} is not name:role:secret` });
      } else if (!(BOARD_ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({ code: 'custom', message: `${where} (${name}): role must be viewer or operator` });
      } else if (secret.length < 8) {
        ctx.addIssue({ code: 'custom', message: `${where} (${name}): secret must be at least 8 characters` });
      } else if (credentials.some((c) => c.name === name)) {
        ctx.addIssue({ code: 'custom', message: `${where}: name ${name} is used twice` });
      } else if (credentials.some((c) => c.secret === secret)) {
        // A bearer token identifies its credential by the secret alone.
        ctx.addIssue({ code: 'custom', message: `${where} (${name}): secret is used twice` });
      } else {
        credentials.push({ name, role: role as BoardRole, secret });
      }
    });
    return credentials;
  });

const envSchema = z.object({
  MONGO_URL: url(['mongodb:', 'mongodb+srv:']).default('mongodb://127.0.0.1:27017/strangler'),
  PG_URL: url(['postgres:', 'postgresql:']).default('postgres://postgres@localhost:5432/strangler'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** Bearer token for mutating API calls. The default only suits a laptop; the board warns when it is used. */
  API_TOKEN: z.string().min(8, 'must be at least 8 characters').default('strangler-dev-token'),
  BOARD_USER: z.string().min(1).default('admin'),
  BOARD_PASSWORD: z.string().min(1).default('strangler'),
  /**
   * Named board credentials (src/board/credentials.ts), each usable as basic auth (name/secret) or as
   * `Authorization: Bearer <secret>`. When set, BOARD_USER/BOARD_PASSWORD and API_TOKEN are ignored.
   */
  BOARD_CREDENTIALS: boardCredentials.optional(),
  /**
   * `1`: listen beyond loopback even with the built-in default credentials (src/board/server.ts). Off by
   * default, so a forgotten password never faces the network.
   */
  BOARD_PUBLIC: z
    .enum(['0', '1', 'false', 'true'], { message: 'must be 1 or 0' })
    .default('0')
    .transform((value) => value === '1' || value === 'true'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Prefix of every BullMQ key, so several deployments (or test runs) can share one Redis. */
  QUEUE_PREFIX: z.string().min(1).default('strangler'),
  /**
   * Interval of the delta sweep (src/sweep/deltaSweep.ts) that workers serving the sweep queue
   * schedule; 0 turns the scheduled sweep off (`strangler sweep` still runs one by hand).
   */
  SWEEP_EVERY_MS: z.coerce.number().int().min(0).default(30_000),
  /** Interval of the scheduled gap drain (src/jobs/gaps/schedule.ts). */
  GAP_DRAIN_EVERY_MS: z.coerce.number().int().min(100).default(5_000),
  /**
   * How long a drain's claim on a gap holds (src/gaps/options.ts leaseMs): a worker killed mid-drain
   * leaves its claimed gaps to others after this long.
   */
  GAP_LEASE_MS: z.coerce.number().int().min(1_000).default(300_000),
  /**
   * Interval of the scheduled verification of each collection (src/jobs/verify/schedule.ts, one job
   * scheduler per collection on the workers serving the verify queue); 0 (the default) turns it off.
   */
  VERIFY_EVERY_MS: z.coerce.number().int().min(0).default(0),
  /** How long a verification mismatch waits before each recheck (src/verify/run/settle.ts). */
  VERIFY_LAG_MS: z.coerce.number().int().min(0).default(5_000),
  /**
   * The cutover gates (src/modes/gates/policy.ts): how old the last green verification may be, how old an
   * open gap may get, the clean shadow-read window in `dual` before `pg`, the soak in `pg` before
   * `decommissioned`. Production defaults; the demo and tests use seconds.
   */
  CUTOVER_VERIFICATION_MAX_AGE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 3_600_000),
  CUTOVER_GAP_MAX_AGE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(15 * 60_000),
  CUTOVER_SHADOW_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(7 * 24 * 3_600_000),
  CUTOVER_SOAK_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(7 * 24 * 3_600_000),
});

export type Config = z.infer<typeof envSchema>;

/** The defaults in force when a variable is absent; also what `--help` and the README show. */
export const CONFIG_DEFAULTS: Config = envSchema.parse({});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Empty strings count as unset, the way shells and compose files usually mean them. */
function withoutBlanks(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(withoutBlanks(env));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
}

/** A URL with its password replaced, for logs and error lines. */
export function redactUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return value;
  }
}
