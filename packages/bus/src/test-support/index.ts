export * from './nats-server.js';
export * from './events.js';
