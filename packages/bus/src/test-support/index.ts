export * from './nats-server.js';
export * from './events.js';
export * from './nats-cluster.js';
/** The NATS client, for tests and benchmarks that look at the stream directly. */
export { AckPolicy, StorageType, connect, nanos } from 'nats';
export type { JetStreamClient, NatsConnection } from 'nats';
