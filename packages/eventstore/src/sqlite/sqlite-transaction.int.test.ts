import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Envelope } from '@nhagiao/domain';
import { openSqliteEventStore } from './sqlite-event-store.js';

const unit = (n: number): Envelope => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'UnitRegistered',
  data: {
    unitId: `u${n}`,
    name: `Đơn vị ${n}`,
    kind: 'college',
    area: 'bk.a',
    registeredOn: '2020-01-01',
  },
});

describe('SQLite unit of work (transaction)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-tx-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('commits every append of the work together; readAll sees none of them before the commit', async () => {
    const store = openSqliteEventStore(path.join(dir, 'e.sqlite'));
    const seenInside: number[] = [];
    await store.transaction?.(async () => {
      await store.append('unit-u1', [unit(1)], 'no-stream');
      await store.appendBatch([{ stream: 'unit-u2', events: [unit(2)], expected: 'no-stream' }]);
      // The work sees its own appends through findEvent and readStream …
      expect((await store.findEvent('unit-u1', unit(1).id))?.type).toBe('UnitRegistered');
      for await (const e of store.readStream('unit-u2')) seenInside.push(Number(e.revision));
      // … but readers of the log never see uncommitted events.
      const log = [];
      for await (const e of store.readAll()) log.push(e);
      expect(log).toEqual([]);
      expect(await store.head()).toBeNull();
    });
    expect(seenInside).toEqual([0]);
    const log = [];
    for await (const e of store.readAll()) log.push(e.id);
    expect(log).toEqual([unit(1).id, unit(2).id]);
    await store.close();
  });

  it('rolls back every append when the work throws', async () => {
    const store = openSqliteEventStore(path.join(dir, 'e.sqlite'));
    await store.append('unit-u1', [unit(1)], 'no-stream');
    await expect(
      store.transaction?.(async () => {
        await store.append('unit-u2', [unit(2)], 'no-stream');
        throw new Error('rejected');
      }),
    ).rejects.toThrow('rejected');
    expect(await store.findEvent('unit-u2', unit(2).id)).toBeUndefined();
    const log = [];
    for await (const e of store.readAll()) log.push(e.id);
    expect(log).toEqual([unit(1).id]);
    // The store is usable again after a rollback.
    await store.append('unit-u3', [unit(3)], 'no-stream');
    expect(await store.findEvent('unit-u3', unit(3).id)).toBeDefined();
    await store.close();
  });
});
