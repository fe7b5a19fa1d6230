export * from './table.js';
export * from './meets.js';
