export { openEsdbEventStore, type EsdbEventStoreOptions } from './esdb-event-store.js';
export type { EsdbLogger, ResubscribePolicy } from './subscribe.js';
export { NHAGIAO_STREAM_PREFIXES } from './mapping.js';
export type { RetryPolicy } from './errors.js';
