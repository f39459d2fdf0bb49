/** Shadow reads (DESIGN.md "Verify"): dual-mode reads repeated on Postgres off the caller's path, compared. */
export {
  ShadowReader,
  type ObservedCall,
  type ShadowObserver,
  type ShadowReaderOptions,
} from './shadowReader.js';
export { SHADOW_READ_DEFAULTS, shadowReadSettings, type ShadowReadSettings } from './options.js';
export { SHADOW_READ_METHODS, isShadowRead } from './readMethods.js';
export { normaliseAnswer } from './normalise.js';
export { diffAnswers, type FieldDifference } from './diff.js';
export { exactDecimalText } from './decimalText.js';
export { SHADOW_OUTCOMES, SHADOW_READS_METRIC, shadowReadsCounter, type ShadowOutcome } from './metrics.js';
export { shadowReadSummary, type ShadowReadSummary } from './summary.js';
