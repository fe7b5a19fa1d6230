import path from 'node:path';
import type { RecordedEvent } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { cliSandbox } from './test-support/run.js';

/*
 * `history` shows when each change was recorded. An import records a thousand
 * events in one transaction, and the ledger keeps only where each run of one
 * recording time ends: every row must still get its event's time, after an
 * import and after a rebuild in worker processes.
 */

const s = cliSandbox();
let recordedAt: Map<string, string>;

beforeAll(async () => {
  expect((await s.run(['demo', '--teachers', '80'])).code).toBe(0);
  const store = openSqliteEventStore(path.join(s.dir, 'events.sqlite'), { readOnly: true });
  const log: RecordedEvent[] = [];
  for await (const e of store.readAll()) log.push(e);
  await store.close();
  recordedAt = new Map(log.map((e) => [e.id, e.recordedAt]));
  // The demo imports in a few transactions: runs of one time, not a time per event.
  expect(new Set(recordedAt.values()).size).toBeLessThan(log.length / 10);
}, 60_000);

afterAll(() => s.cleanup());

const changes = async (code: string) => {
  const r = await s.run(['history', code, '--scope', 'province', '--format', 'json']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { changes: { eventId: string; recordedAt: string | null }[] })
    .changes;
};

describe('history gives every change the time its event was recorded', () => {
  it.each([[[]], [['rebuild', '--workers', '2']]])('after %j', async (command) => {
    if (command.length > 0) expect((await s.run(command)).code).toBe(0);
    for (const code of ['master-or-above', 'trained-digital-transformation']) {
      const rows = await changes(code);
      expect(rows.length).toBeGreaterThan(50);
      expect(rows.map((c) => [c.eventId, c.recordedAt])).toEqual(
        rows.map((c) => [c.eventId, recordedAt.get(c.eventId)]),
      );
    }
  });
});
