import type { Database } from 'better-sqlite3';

/**
 * The whole store is one table. `position` is AUTOINCREMENT so a position is
 * never reused, even after the last row of a rolled-back batch; `id` is unique
 * because it is the sender's idempotency key.
 */
const SCHEMA_V1 = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT    NOT NULL UNIQUE,
  stream      TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL CHECK (json_valid(data)),
  metadata    TEXT    NOT NULL CHECK (json_valid(metadata)),
  recorded_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_stream_revision ON events (stream, revision);
`;

export const SCHEMA_VERSION = 1;

/** Creates the schema on a new file; refuses a file written by a newer version. */
export const migrate = (db: Database): void => {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `schema version ${version} is newer than this program knows (${SCHEMA_VERSION})`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  db.exec(SCHEMA_V1);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
};
