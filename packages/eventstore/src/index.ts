export * from './port.js';
export * from './errors.js';
export * from './canonical-json.js';
export * from './sqlite/sqlite-event-store.js';
export * from './conformance/describe-event-store-conformance.js';
export * from './esdb/index.js';
