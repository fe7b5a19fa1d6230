export * from './types.js';
export { Ingestor, createIngestor, type IngestorDeps } from './ingestor.js';
export { ndjsonItems, arrayItems } from './lines.js';
export { fileQuarantine, type QuarantineEntry, type QuarantineStore } from './quarantine.js';
export { ImportJournal, type ImportRecord } from './journal.js';
export { storeStreams } from './store-streams.js';
export { DecidedWrites, type DecidedWindow } from './decided-writes.js';
