import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliSandbox } from '../test-support/run.js';

interface VerifyJson {
  ok: boolean;
  replay: { ok: boolean; events: number; liveDigest: string; replayDigest: string };
  log: {
    ok: boolean;
    logSize: number;
    checkpoints: { status: string }[];
    faults: { kind: string; position?: string }[];
  };
  reports: { ok: boolean; checked: { matchesAtSubmission: boolean }[] };
}

describe('nhagiao export and verify --bundle', () => {
  const box = cliSandbox();
  const bundle = path.join(box.dir, 'bundle');
  afterAll(() => box.cleanup());

  beforeAll(async () => {
    expect((await box.run(['demo', '--teachers', '25'])).code).toBe(0);
    expect((await box.run(['signing', 'init'])).code).toBe(0);
    expect((await box.run(['audit', 'checkpoint'])).code).toBe(0);
    expect((await box.run(['report', 'submit', '--unit', 'cdbk', '--year', '2025'])).code).toBe(0);
    const exported = await box.run(['export', '--out', bundle]);
    expect(exported.stderr).toContain('audit bundle');
    expect(exported.code).toBe(0);
  }, 120_000);

  it('writes a self-contained bundle: events in log order, leaves, salts, checkpoints, reports, keys, manifest', () => {
    expect(readdirSync(bundle).sort()).toEqual([
      'checkpoint',
      'checkpoints',
      'events.ndjson',
      'keys',
      'leaves.ndjson',
      'manifest.json',
      'reports.ndjson',
      'salts.ndjson',
    ]);
    const manifest = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8')) as {
      treeSize: number;
      reports: number;
      ledgerDigest: string | null;
    };
    const events = readFileSync(path.join(bundle, 'events.ndjson'), 'utf8').trim().split('\n');
    const leaves = readFileSync(path.join(bundle, 'leaves.ndjson'), 'utf8').trim().split('\n');
    expect(events).toHaveLength(manifest.treeSize);
    expect(leaves).toHaveLength(manifest.treeSize);
    expect(manifest.reports).toBe(1);
    expect(manifest.ledgerDigest).toMatch(/^[0-9a-f]{64}$/);
    const positions = events.map((l) => BigInt((JSON.parse(l) as { position: string }).position));
    expect(positions.every((p, i) => i === 0 || p > (positions[i - 1] as bigint))).toBe(true);
    // Names are in the events (auditors' data) but never in the leaves.
    const named = events.find((l) => l.includes('"TeacherRegistered"')) ?? '';
    const name = (JSON.parse(named) as { data: { fullName: string } }).data.fullName;
    expect(leaves.join('\n')).not.toContain(name);
  });

  it('verifies on its own: replay against the operator’s digest, tree, checkpoints, reports', async () => {
    const r = await box.run(['verify', '--bundle', bundle, '--format', 'json']);
    const json = JSON.parse(r.stdout) as VerifyJson;
    expect(r.stderr).toContain('public key taken from the bundle');
    expect(json.replay).toMatchObject({ ok: true });
    expect(json.replay.liveDigest).toBe(json.replay.replayDigest);
    expect(json.log.checkpoints.every((c) => c.status === 'ok')).toBe(true);
    expect(json.reports).toMatchObject({ ok: true, checked: [{ matchesAtSubmission: true }] });
    expect(r.code).toBe(0);
  }, 60_000);

  it('names the event of a bundle edited with its manifest made to match', async () => {
    const copy = path.join(box.dir, 'edited');
    cpSync(bundle, copy, { recursive: true });
    const file = path.join(copy, 'events.ndjson');
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"DegreeAwarded"'));
    const event = JSON.parse(lines[at] ?? '') as { position: string; data: { awardedOn: string } };
    event.data.awardedOn = '2001-01-01';
    lines[at] = JSON.stringify(event);
    writeFileSync(file, lines.join('\n'));
    const manifestFile = path.join(copy, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
      files: Record<string, string>;
    };
    manifest.files['events.ndjson'] = createHash('sha256').update(readFileSync(file)).digest('hex');
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const r = await box.run(['verify', '--bundle', copy, '--format', 'json']);
    expect(r.code).toBe(3);
    const json = JSON.parse(r.stdout) as VerifyJson;
    expect(json.log.faults).toEqual([
      expect.objectContaining({ kind: 'event-changed', position: event.position }),
    ]);

    // Edited without fixing the manifest: refused before anything runs.
    const raw = path.join(box.dir, 'raw');
    cpSync(bundle, raw, { recursive: true });
    writeFileSync(path.join(raw, 'leaves.ndjson'), '{}\n');
    const refused = await box.run(['verify', '--bundle', raw]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('leaves.ndjson is missing or does not match its SHA-256');
    const rawEvents = path.join(box.dir, 'raw-events');
    cpSync(bundle, rawEvents, { recursive: true });
    const eventsFile = path.join(rawEvents, 'events.ndjson');
    writeFileSync(eventsFile, readFileSync(eventsFile, 'utf8').replace('2020', '2021'));
    const refusedEvents = await box.run(['verify', '--bundle', rawEvents]);
    expect(refusedEvents.code).toBe(1);
    expect(refusedEvents.stderr).toContain(
      'events.ndjson is missing or does not match its SHA-256',
    );
  }, 60_000);
});
