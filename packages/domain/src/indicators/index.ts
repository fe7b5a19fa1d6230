export * from './rule.js';
export * from './step.js';
export * from './contribution.js';
export * from './explain.js';
