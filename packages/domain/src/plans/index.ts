export * from './schema.js';
export * from './labels.js';
export * from './bac-kan-423-2024.js';
export * from './registry.js';
