export * from './checkpoint.js';
export * from './relay.js';
export * from './command.js';
