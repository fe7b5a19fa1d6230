import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreConformance } from '../conformance/describe-event-store-conformance.js';
import { openSqliteEventStore } from './sqlite-event-store.js';

describeEventStoreConformance('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nhagiao-es-'));
  const store = openSqliteEventStore(join(dir, 'events.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
