// Every table of the target schema; drizzle-kit reads this file (drizzle.config.ts).
export * from './idMap.js';
export * from './dualwriteGaps.js';
