import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@nhagiao/domain';
import { collect, registered } from '../conformance/fixtures.js';
import { openSqliteEventStore } from './sqlite-event-store.js';

// The package root: `--import tsx` resolves from there, and the child imports the package source.
const packageRoot = join(__dirname, '..', '..');
const childScript = join(packageRoot, 'test-support', 'sqlite-child.ts');

const startChild = (...args: string[]): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', childScript, ...args], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

const runChild = (
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = startChild(...args);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nhagiao-es-'));
  path = join(dir, 'events.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite event store across processes', () => {
  it('refuses a second writer process with StoreLockedError naming the holder', async () => {
    const store = openSqliteEventStore(path);
    await store.append('teacher-t1', [registered('t1')], 'no-stream');
    const refused = await runChild('lock', path);
    expect(refused.stderr).toBe('');
    const outcome = JSON.parse(refused.stdout) as { name: string; code: string; message: string };
    expect(outcome).toMatchObject({ name: 'StoreLockedError', code: 'store-locked' });
    expect(outcome.message).toContain(`pid ${process.pid}`);
    await store.close();
    expect(JSON.parse((await runChild('lock', path)).stdout)).toEqual({ opened: true });
  });

  it('delivers to a read-only subscriber every event another process appends, once, in order', async () => {
    await openSqliteEventStore(path).close();
    const reader = openSqliteEventStore(path, { readOnly: true, pollIntervalMs: 20 });
    const writer = runChild('append', path, '300', '10', '3');
    const received: RecordedEvent[] = [];
    for await (const m of reader.subscribe()) {
      if (m.kind === 'event') received.push(m.event);
      if (received.length === 300) break;
    }
    expect((await writer).stdout).toBe('done\n');
    expect(received.map((e) => e.revision)).toEqual(
      Array.from({ length: 300 }, (_, i) => BigInt(i)),
    );
    expect(received.map((e) => e.position)).toEqual(
      Array.from({ length: 300 }, (_, i) => BigInt(i + 1)),
    );
    await reader.close();
  });

  it('loses nothing committed and keeps no partial batch when the writer is killed mid-batch', async () => {
    const batch = 5000;
    const child = startChild('append-forever', path, String(batch));
    const reported = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const last = [...out.matchAll(/committed (\d+)\n/g)].at(-1);
        // After a few commits, kill at a random moment, most likely inside the next transaction.
        if (last !== undefined && Number(last[1]) >= 2) {
          setTimeout(() => child.kill('SIGKILL'), Math.random() * 20);
          child.stdout?.removeAllListeners('data');
          resolve(Number(last[1]));
        }
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL')
          reject(new Error(`child exited early (${code}): ${String(child.stderr?.read())}`));
      });
    });
    await new Promise((resolve) => child.on('close', resolve));

    // Reopening as the writer also shows the killed process left no lock behind.
    const store = openSqliteEventStore(path);
    const counts = new Map<string, number>();
    for (const e of await collect(store.readAll())) {
      const b = e.metadata.batch ?? 'none';
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const batches = [...counts.keys()].map(Number).sort((a, b) => a - b);
    expect(batches).toEqual(Array.from({ length: batches.length }, (_, i) => i));
    expect(batches.length).toBeGreaterThanOrEqual(reported + 1);
    expect([...counts.values()].every((n) => n === batch)).toBe(true);
    await store.close();
  });
});
