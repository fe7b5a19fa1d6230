export * from './nats-server.js';
export * from './events.js';
export * from './nats-cluster.js';
