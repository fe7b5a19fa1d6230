export * from './relay.js';
export * from './command.js';
