/**
 * strangler as a library: the repositories a service calls during the migration (plan §1), and the
 * domain types they speak. Built to dist/ (`npm run build`) for applications that run plain Node.
 */
export { createRepositories, type Repositories, type RepositoryOptions } from './create.js';
export * from './domain/common.js';
export type * from './domain/addresses.js';
export type { CollectionMode } from '../modes/machine.js';
