export * from './table.js';
export * from './authorise.js';
export * from './plausible.js';
export * from './visible.js';
