export * from './errors.js';
export * from './events/vocabulary.js';
export * from './events/primitives.js';
export * from './events/schemas.js';
export * from './events/envelope.js';
export * from './events/streams.js';
export * from './events/recorded.js';
export * from './ledger/delta.js';
