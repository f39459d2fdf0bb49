/**
 * The comparison engine this runner drives (src/verify/index.ts), behind one seam: the runner imports
 * only these names, so a change of the engine's surface touches this file alone.
 */
export type { IdRange } from '../../backfill/ranges.js';
export type { CountsVerdict, Mismatch, MoneyVerdict, RangeVerdict } from '../index.js';
export { idOfLegacyId, recheckDocuments, verifyCounts, verifyMoney, verifyRange } from '../index.js';
