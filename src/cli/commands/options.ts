import { InvalidArgumentError } from 'commander';

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
