// Every table of the target schema; drizzle-kit reads this file (drizzle.config.ts).
export * from './idMap.js';
export * from './dualwriteGaps.js';
export * from './levelConfigs.js';
export * from './users.js';
export * from './addresses.js';
export * from './categories.js';
export * from './configSettings.js';
export * from './shopSettings.js';
export * from './backfill.js';
export * from './audit.js';
