import type { Repositories } from '../../repositories/create.js';
import { isExpectedRefusal } from '../../traffic/workload.js';
import type { Recorder } from './latencies.js';

/** Repository methods that only read: the seam logs no write for them, so they carry no dual overhead. */
const READ_METHOD = /^(find|list|get|history|balance)/;

export const isReadCall = (name: string): boolean => READ_METHOD.test(name.split('.')[1] ?? '');

/**
 * The repositories with every method call timed as `<repository>.<method>` into the recorder `sink()`
 * names when the call starts (the current slice's mode; null between slices: not recorded): one
 * repository write is what "overhead per write" is measured on, a workload operation being several of
 * them (a checkout accepts, changes a status and opens two payments).
 */
export function timedRepositories(repos: Repositories, sink: () => Recorder | null): Repositories {
  const wrapped: Record<string, unknown> = {};
  for (const [name, repo] of Object.entries(repos)) {
    wrapped[name] =
      name === 'modes' || typeof repo !== 'object' || repo === null ? repo : timed(name, repo, sink);
  }
  return wrapped as unknown as Repositories;
}

function timed(name: string, repo: object, sink: () => Recorder | null): object {
  return new Proxy(repo, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const call = `${name}.${property}`;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        const record = sink();
        try {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          record?.(call, performance.now() - t0, false);
          return result;
        } catch (error) {
          record?.(call, performance.now() - t0, !isExpectedRefusal(error));
          throw error;
        }
      };
    },
  });
}
