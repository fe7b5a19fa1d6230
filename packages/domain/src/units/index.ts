export * from './timeline.js';
