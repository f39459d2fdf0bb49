/** The verification engine's public surface: jobs, CLI and API import from here. */
export type { Accounted, ColumnDetail, Comparison, Mismatch, MismatchKind, RangeVerdict } from './types.js';
export { compareDocuments } from './compareDocuments.js';
export { verifyRange } from './verifyRange.js';
export { recheckDocuments } from './recheckDocuments.js';
export { verifyMoney, type MoneyCheck, type MoneyVerdict } from './money.js';
export { verifyCounts, type CountsVerdict, type ReferenceCount } from './counts.js';
export { idOfLegacyId } from './idOfLegacyId.js';
export { VerifyError } from './errors.js';
