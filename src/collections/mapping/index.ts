// The mapping toolkit every collection spec uses (docs/data-policy.md, applied one concept per file).
export * from './arrays.js';
export * from './bsonValues.js';
export * from './builder.js';
export * from './extra.js';
export * from './legacyId.js';
export * from './money.js';
export * from './references.js';
export * from './reject.js';
export * from './resolve.js';
export * from './scalars.js';
export * from './subdoc.js';
export * from './timestamps.js';
export * from './rows.js';
export * from './mixed.js';
export * from './enums.js';
export * from './subdocElements.js';
