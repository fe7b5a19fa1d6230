export * from './types.js';
export * from './fold.js';
export * from './employment.js';
export * from './held.js';
