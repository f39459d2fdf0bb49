import { InvalidArgumentError } from 'commander';
import { CliError } from '../errors.js';

/** A commander argument parser for a positive integer option, with an error naming the option. */
export function parsePositiveInt(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new InvalidArgumentError(`${option} must be a positive integer`);
    return n;
  };
}

/** Like parsePositiveInt but 0 is allowed (e.g. a port chosen by the OS). */
export function parseNonNegativeInt(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new InvalidArgumentError(`${option} must be a non-negative integer`);
    return n;
  };
}

/**
 * `--collections`: 'all', or names checked against the registry, so a typo is one line (exit 2) before
 * anything connects. The registry is imported only here, when the option is used.
 */
export async function parseCollections(value: string): Promise<readonly string[] | 'all'> {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new CliError('--collections: give "all" or a comma-separated list', 2);
  if (names.length === 1 && names[0] === 'all') return 'all';
  const { REGISTRY } = await import('../../collections/registry.js');
  const known = new Set(REGISTRY.order);
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new CliError(
      `--collections: unknown collection "${unknown.join('", "')}" (known: ${REGISTRY.order.join(', ')})`,
      2,
    );
  }
  return names;
}
