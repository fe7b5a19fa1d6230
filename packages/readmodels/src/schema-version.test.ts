import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openSqliteReadModel, sqliteVersionFile } from './sqlite.js';

describe('a read model written by another table layout', () => {
  it('is dropped and recreated on open (its checkpoint with it), so the log is replayed', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-rm-schema-'));
    const file = path.join(dir, 'rm.sqlite');
    try {
      const first = await openSqliteReadModel(file);
      await first.applyBatch({ projection: 'ledger', checkpoint: 7n });
      expect(await first.checkpoint('ledger')).toBe(7n);
      await first.close();

      // Reopened as it is, nothing changes.
      const same = await openSqliteReadModel(file);
      expect(await same.checkpoint('ledger')).toBe(7n);
      await same.close();

      // As if an older nhagiao had written it.
      const raw = new BetterSqlite3(sqliteVersionFile(file, 'v1'));
      raw.prepare("update meta set value = 'nhagiao-readmodel-0' where key = 'schema'").run();
      raw.close();
      const reopened = await openSqliteReadModel(file);
      expect(await reopened.checkpoint('ledger')).toBeNull();
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
