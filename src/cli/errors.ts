import { ConfigError, redactUrl } from '../config/env.js';

/** An error the CLI reports as one line and an exit code, never as a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export class ServiceUnavailableError extends CliError {
  constructor(
    readonly service: 'Postgres' | 'Redis' | 'MongoDB',
    url: string,
    cause: unknown,
  ) {
    super(`cannot reach ${service} at ${redactUrl(url)}: ${describeCause(cause)}`, 1);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) return describeCause(cause.errors[0]);
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const text = cause.message || String(code ?? cause.name);
    return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
  }
  return String(cause);
}

/** The one line printed for any error that escapes a command, and the process exit code. */
export function reportError(error: unknown): { line: string; exitCode: number } {
  if (error instanceof ConfigError) return { line: error.message, exitCode: 2 };
  if (error instanceof CliError) return { line: error.message, exitCode: error.exitCode };
  if (error instanceof Error) return { line: error.message || error.name, exitCode: 1 };
  return { line: String(error), exitCode: 1 };
}
