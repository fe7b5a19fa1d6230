/**
 * A second process for the SQLite adapter's tests: the store must behave across
 * processes (one writer, readers elsewhere, a writer killed mid-batch), which a
 * test can only show with a real other process. Run with `node --import tsx`.
 *
 *   lock <path>                         try to open as writer; print the outcome as JSON
 *   append <path> <n> <batch> <pauseMs> append n events in batches, then exit
 *   append-forever <path> <batch>       append batches until killed; print "committed <k>" after each
 */
import { randomUUID } from 'node:crypto';
import type { Envelope } from '@nhagiao/domain';
import { openSqliteEventStore } from '../src/index.js';

const [mode, path, ...rest] = process.argv.slice(2);
if (mode === undefined || path === undefined)
  throw new Error('usage: sqlite-child <mode> <path> …');

const event = (teacherId: string, batch: number, i: number): Envelope => ({
  id: randomUUID(),
  type: 'CourseCompleted',
  data: { teacherId, programmeId: `prog-${i}`, completedOn: '2025-05-12', hours: 40 },
  metadata: { batch: String(batch) },
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const main = async (): Promise<void> => {
  if (mode === 'lock') {
    try {
      const store = openSqliteEventStore(path);
      await store.close();
      process.stdout.write(`${JSON.stringify({ opened: true })}\n`);
    } catch (e) {
      const error = e as Error & { code?: string };
      process.stdout.write(
        `${JSON.stringify({ name: error.name, code: error.code, message: error.message })}\n`,
      );
    }
    return;
  }
  const store = openSqliteEventStore(path);
  if (mode === 'append') {
    const [n, size, pause] = rest.map(Number) as [number, number, number];
    for (let b = 0; b * size < n; b++) {
      const events = Array.from({ length: Math.min(size, n - b * size) }, (_, i) =>
        event('child', b, i),
      );
      await store.append('teacher-child', events, 'any');
      await sleep(pause);
    }
    await store.close();
    process.stdout.write('done\n');
    return;
  }
  if (mode === 'append-forever') {
    const size = Number(rest[0]);
    for (let b = 0; ; b++) {
      const events = Array.from({ length: size }, (_, i) => event(`kill-${b}`, b, i));
      await store.appendBatch([{ stream: `teacher-kill-${b}`, events, expected: 'no-stream' }]);
      process.stdout.write(`committed ${b}\n`);
    }
  }
  throw new Error(`unknown mode ${mode}`);
};

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exitCode = 1;
});
