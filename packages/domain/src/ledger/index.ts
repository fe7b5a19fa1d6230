// The ledger as the package's root index exports it.
export * from './delta.js';
export * from './diff.js';
export * from './teacher-state.js';
export * from './projection.js';
