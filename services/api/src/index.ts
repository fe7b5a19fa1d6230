export { buildServer, serve, type ServeOptions } from './server.js';
export {
  openKeyStore,
  ROLES,
  type ApiKey,
  type CreateKeyInput,
  type KeyStore,
  type Role,
  type StoredResponse,
} from './keys/key-store.js';
export {
  openSqliteQuarantine,
  type SqliteQuarantine,
  type SqliteQuarantineOptions,
} from './quarantine.js';
export { ApiError, type ErrorBody, type ErrorDetail } from './errors.js';
export type {
  ApiIngestor,
  ApiLimits,
  ApiLogger,
  ApiQuarantine,
  ApiReadModel,
  QuarantineEntryView,
  ServerDeps,
} from './ports.js';
export { type LogServing, logServingFromFiles } from './routes/log.js';
