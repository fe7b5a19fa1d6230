import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import { killWhen, runNhagiao } from './test-support/run.js';

const run = runNhagiao;

const figures = async (dir: string) => {
  const out: unknown[] = [];
  for (const asOf of ['2024-06-30', '2025-12-31', '2026-06-30']) {
    for (const by of ['province', 'unit']) {
      const r = await run([
        'indicators',
        '--as-of',
        asOf,
        '--by',
        by,
        '--format',
        'json',
        '--data-dir',
        dir,
      ]);
      expect(r.code).toBe(0);
      out.push(JSON.parse(r.stdout));
    }
  }
  return out;
};

describe('killed with SIGKILL', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-crash-'));
  const clean = mkdtempSync(path.join(tmpdir(), 'nhagiao-clean-'));
  const file = path.join(dir, 'province.ndjson');
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(clean, { recursive: true, force: true });
  });

  beforeAll(async () => {
    const out = createWriteStream(file);
    for (const e of generateDataset({ teachers: 2500, seed: 5 })) {
      if (!out.write(`${JSON.stringify(e)}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const first = await run(['import', file, '--data-dir', clean]);
    expect(first.stderr).not.toContain('nhagiao import:');
    expect(first.code).toBe(0);
  });

  it('in the middle of an import loses nothing accepted and appends nothing of the unfinished file', async () => {
    // The import is one transaction; its progress lines say how far it has got. Kill it
    // once it has appended the first 10,000 of the file's ~31,000 events.
    await killWhen(['import', file, '--data-dir', dir], (stderr) =>
      /validating: 10[.,]000/.test(stderr),
    );
    const after = await run(['status', '--format', 'json', '--data-dir', dir]);
    expect(after.code).toBe(0);
    expect((JSON.parse(after.stdout) as { storeHead: unknown }).storeHead).toBeNull();
    // Importing again appends the whole file once; the figures equal a clean import's.
    const again = await run(['import', file, '--data-dir', dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/ (\d+) appended, 0 duplicates, 0 rejected/);
    expect(await figures(dir)).toEqual(await figures(clean));
  });

  it('in the middle of a rebuild leaves the live read model as it was, and a second rebuild gives the same digest', async () => {
    const before = await figures(dir);
    const digestOf = async () =>
      /digest ([0-9a-f]{64})/.exec((await run(['rebuild', '--data-dir', dir])).stdout)?.[1];
    const reference = await digestOf();
    expect(reference).toMatch(/^[0-9a-f]{64}$/);
    expect(await figures(dir)).toEqual(before);
    // The next rebuild goes to v3; kill it while it writes.
    const next = path.join(dir, 'readmodel.v3.sqlite');
    await killWhen(['rebuild', '--data-dir', dir], (stderr) => /rebuild: \d/.test(stderr));
    expect(existsSync(next)).toBe(true);
    expect(await figures(dir)).toEqual(before);
    expect(await digestOf()).toBe(reference);
    expect(await figures(dir)).toEqual(before);
  });
});
