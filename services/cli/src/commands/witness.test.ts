import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { verifyCosignatures } from '@nhagiao/audit';
import { runCli } from '../cli.js';
import { cliSandbox, ev } from '../test-support/run.js';

const unit = (i: number) =>
  ev('UnitRegistered', {
    unitId: `w${i}`,
    name: `Đơn vị ${i}`,
    kind: 'other',
    area: 'a',
    registeredOn: '2020-01-01',
  });

/** A long-running command in process: resolves with the address it prints once it listens. */
const start = (args: string[], signal: AbortSignal, pattern: RegExp) => {
  const stderr = new PassThrough();
  let text = '';
  const address = new Promise<string>((resolve, reject) => {
    stderr.on('data', (c: Buffer) => {
      text += c.toString('utf8');
      const m = pattern.exec(text);
      if (m?.[1]) resolve(m[1]);
    });
    setTimeout(() => reject(new Error(`did not start: ${text}`)), 20_000).unref();
  });
  const done = runCli(args, {
    stdout: new PassThrough(),
    stderr,
    stdin: Readable.from(['']),
    env: {},
    signal,
  });
  return { address, done, log: () => text };
};

interface WitnessJson {
  ok: boolean;
  log: {
    ok: boolean;
    witnesses: {
      ok: boolean;
      required: number;
      cosignedBy: string[];
      inconsistent: {
        size: number;
        firstInconsistentSize: number | null;
        between: [number, number];
      }[];
    } | null;
  };
}

describe('a witness against a rewritten history', () => {
  const box = cliSandbox();
  const witnessBox = cliSandbox();
  const stop = new AbortController();
  let witness: ReturnType<typeof start>;
  let witnessKey: string;
  const kept = path.join(box.dir, 'kept.checkpoint');
  const bundle = path.join(witnessBox.dir, 'bundle-before');

  beforeAll(async () => {
    expect((await box.run(['signing', 'init', '--name', 'nhagiao.test/witnessed'])).code).toBe(0);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const code = await runCli(
      ['witness', 'init', '--name', 'witness.test/stc', '--dir', witnessBox.dir],
      { stdout: out, stderr: new PassThrough(), stdin: Readable.from(['']), env: {} },
    );
    const init = { code, stdout: Buffer.concat(chunks).toString('utf8') };
    expect(init.code).toBe(0);
    witnessKey = init.stdout.trim();
    witness = start(
      [
        'witness',
        'serve',
        '--dir',
        witnessBox.dir,
        '--port',
        '0',
        '--log-key',
        path.join(box.dir, 'audit-public.key'),
      ],
      stop.signal,
      /nhagiao witness: (http:\/\/\S+)/,
    );
    writeFileSync(
      path.join(box.dir, 'audit-witnesses'),
      `# the Department of Finance\n${witnessKey} ${await witness.address}\n`,
    );
  }, 60_000);

  afterAll(async () => {
    stop.abort();
    await witness.done;
    box.cleanup();
    witnessBox.cleanup();
  });

  it('cosigns each checkpoint the log sends, and verify counts the cosignatures', async () => {
    expect((await box.run(['import', box.file([0, 1, 2, 3, 4, 5].map(unit))])).code).toBe(0);
    const first = await box.run(['audit', 'checkpoint']);
    expect(first.stderr).toContain('witness witness.test/stc: cosigned (proof from 0)');
    expect((await box.run(['import', box.file([6, 7, 8].map(unit))])).code).toBe(0);
    const second = await box.run(['audit', 'checkpoint', '--out', kept]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('witness witness.test/stc: cosigned (proof from 6)');
    expect(verifyCosignatures(readFileSync(kept, 'utf8'), [witnessKey])).toHaveLength(1);

    // The auditor takes a bundle now, and checks it on their own.
    expect((await box.run(['export', '--out', bundle])).code).toBe(0);
    const own = await box.run([
      'verify',
      '--bundle',
      bundle,
      '--format',
      'json',
      '--witness',
      witnessKey,
    ]);
    expect(own.code).toBe(0);
    expect((JSON.parse(own.stdout) as WitnessJson).log.witnesses).toMatchObject({
      ok: true,
      cosignedBy: ['witness.test/stc'],
    });

    const r = await box.run([
      'verify',
      '--format',
      'json',
      '--witness',
      witnessKey,
      '--witnesses-required',
      '1',
    ]);
    const json = JSON.parse(r.stdout) as WitnessJson;
    expect(json.log.witnesses).toMatchObject({
      ok: true,
      required: 1,
      cosignedBy: ['witness.test/stc'],
      inconsistent: [],
    });
    expect(r.code).toBe(0);
  }, 60_000);

  it('refuses the operator’s rewritten, re-signed history, and verify --witness names where it breaks', async () => {
    // The operator edits the 4th event, rebuilds the audit file and signs again.
    const db = new Database(path.join(box.dir, 'events.sqlite'));
    db.prepare(
      "UPDATE events SET data = json_set(data, '$.name', 'Đơn vị sửa') WHERE position = 4",
    ).run();
    db.close();
    rmSync(path.join(box.dir, 'audit.sqlite'));
    const resigned = await box.run(['audit', 'checkpoint']);
    expect(resigned.code).toBe(3);
    expect(resigned.stderr).toContain(
      'witness witness.test/stc: REFUSED (422): the tree of 9 is not consistent with the tree of 9 cosigned before',
    );
    // The witness still vouches for the old tree only.
    const state = new Database(path.join(witnessBox.dir, 'witness.sqlite'), { readonly: true });
    expect(state.prepare('SELECT size, note FROM logs').get()).toEqual({
      size: 9,
      note: readFileSync(kept, 'utf8'),
    });
    expect(state.prepare('SELECT status FROM refusals').pluck().all()).toEqual([422]);
    state.close();

    const r = await box.run([
      'verify',
      '--format',
      'json',
      '--witness',
      witnessKey,
      '--witnesses-required',
      '1',
      '--checkpoint',
      kept,
    ]);
    expect(r.code).toBe(3);
    const json = JSON.parse(r.stdout) as WitnessJson;
    expect(json.log.witnesses).toMatchObject({
      ok: false,
      cosignedBy: [],
      inconsistent: [{ size: 9, between: [1, 9] }],
    });
    const text = await box.run(['verify', '--witness', witnessKey, '--checkpoint', kept]);
    expect(text.stdout).toContain('cosigned by 0 of the 1 required: NOT ENOUGH');
    expect(text.stdout).toContain(
      'is not a prefix of the log: first inconsistent tree size between 1 and 9',
    );

    // The bundle exported before the rewrite still verifies, cosigned, and pins the first inconsistent size.
    expect((await box.run(['verify', '--bundle', bundle, '--witness', witnessKey])).code).toBe(0);
    const exact = await box.run([
      'verify',
      '--format',
      'json',
      '--witness',
      witnessKey,
      '--earlier-bundle',
      bundle,
    ]);
    expect(exact.code).toBe(3);
    expect((JSON.parse(exact.stdout) as WitnessJson).log.witnesses).toMatchObject({
      ok: false,
      inconsistent: [
        { size: 6, firstInconsistentSize: 4 },
        { size: 9, firstInconsistentSize: 4 },
      ],
    });
    const said = await box.run(['verify', '--witness', witnessKey, '--earlier-bundle', bundle]);
    expect(said.stdout).toContain('is not a prefix of the log: first inconsistent tree size 4');
  }, 60_000);
});
