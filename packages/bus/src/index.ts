export * from './subjects.js';
export * from './errors.js';
export * from './logger.js';
export * from './stream.js';
export * from './message.js';
export * from './tail.js';
export * from './publisher.js';
export * from './lease.js';
export * from './ordered-consumer.js';
export * from './checkpoint.js';
export * from './connection.js';
export { stopSignal } from './stop-signal.js';
export * from './ops.js';
/** The client types services hand around; only this package talks to `nats` itself. */
export type { NatsConnection, JetStreamManager, KV } from 'nats';
