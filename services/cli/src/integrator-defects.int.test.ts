import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Progress, perSecond } from './progress.js';
import { cliSandbox, ev } from './test-support/run.js';

const EXAMPLES = path.resolve(__dirname, '../../../docs/examples');
const example = (name: string): string => readFileSync(path.join(EXAMPLES, name), 'utf8');

interface Change {
  teacherId: string;
  eventType: string;
  note: string | null;
  dNumerator: number;
  dDenominator: number;
}

describe('the smaller defects integrators met', () => {
  let sandbox: ReturnType<typeof cliSandbox>;
  beforeEach(() => {
    sandbox = cliSandbox();
  });
  afterEach(() => sandbox.cleanup());

  const history = async (code: string): Promise<Change[]> => {
    const r = await sandbox.run(['history', code, '--format', 'json']);
    expect(r.code).toBe(0);
    return (JSON.parse(r.stdout) as { changes: Change[] }).changes;
  };

  it('history: a backfill in one import is not marked, a retraction is a correction, and every change has its event type', async () => {
    // One import whose teachers' dates are not in order: gv-nr-002 is hired in 2012, after a 2023 degree.
    const file = path.join(sandbox.dir, 'backfill.ndjson');
    writeFileSync(
      file,
      ['01-new-teacher', '02-degree', '03-training', '05-leave']
        .map((f) => example(`${f}.ndjson`))
        .join(''),
    );
    expect((await sandbox.run(['import', file])).code).toBe(0);
    const backfill = await history('master-or-above');
    expect(backfill.map((c) => c.note)).toEqual(backfill.map(() => null));
    expect(
      backfill.map((c) => `${c.teacherId} ${c.eventType} ${c.dNumerator}/${c.dDenominator}`),
    ).toEqual([
      'gv-nr-001 TeacherHired 0/1',
      'gv-cd-001 TeacherHired 0/1',
      'gv-cd-001 DegreeAwarded 1/0',
      'gv-nr-002 TeacherHired 0/1',
      'gv-nr-002 TeacherLeft 0/-1',
    ]);
    expect((await sandbox.run(['import', path.join(EXAMPLES, '06-correction.ndjson')])).code).toBe(
      0,
    );
    const after = await history('master-or-above');
    expect(after.slice(backfill.length)).toEqual([
      expect.objectContaining({
        teacherId: 'gv-cd-001',
        eventType: 'EventRetracted',
        note: 'correction',
        dNumerator: -1,
      }),
    ]);
    const table = await sandbox.run(['history', 'master-or-above', '--lang', 'en']);
    expect(table.stdout).toMatch(/Event type/);
    expect(table.stdout).toMatch(/EventRetracted .* correction/);
    // A degree recorded by a later import, dated before what was known: a late record.
    const late = ev('DegreeAwarded', {
      teacherId: 'gv-nr-001',
      degreeId: 'gv-nr-001-ths',
      level: 'master',
      field: 'Khoa học cây trồng',
      institution: 'ĐH Thái Nguyên',
      awardedOn: '2020-06-01',
    });
    expect((await sandbox.run(['import', sandbox.file([late])])).code).toBe(0);
    expect((await history('master-or-above')).at(-1)).toMatchObject({
      eventType: 'DegreeAwarded',
      note: 'late-record',
    });
  });

  it('explain: "since" is the day the teacher came to the unit, not a later assignment change; --lang en writes 50.0 %', async () => {
    for (const f of ['01-new-teacher', '02-degree', '03-training', '04-transfer']) {
      expect((await sandbox.run(['import', path.join(EXAMPLES, `${f}.ndjson`)])).code).toBe(0);
    }
    const change = ev('TeachingAssignmentChanged', {
      teacherId: 'gv-nr-001',
      levels: ['elementary', 'intermediate'],
      mode: 'practice',
      effectiveOn: '2025-02-01',
    });
    expect((await sandbox.run(['import', sandbox.file([change])])).code).toBe(0);
    const en = await sandbox.run([
      'explain',
      'master-or-above',
      '--as-of',
      '2025-12-31',
      '--lang',
      'en',
    ]);
    expect(en.code).toBe(0);
    expect(en.stdout).toContain('permanent at cdbk since 2025-01-06');
    expect(en.stdout).toContain('1/2 = 50.0 %');
    const vi = await sandbox.run(['explain', 'master-or-above', '--as-of', '2025-12-31']);
    expect(vi.stdout).toContain('1/2 = 50,0 %');
  });

  it('progress and summary lines write numbers one way', () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (c: Buffer) => lines.push(c.toString()));
    new Progress(out).update('events.ndjson: validating', 2647);
    expect(lines.join('')).toMatch(/^events\.ndjson: validating: 2,647 \([\d,]+\/s\)\n$/);
    expect(perSecond(1665, 1000)).toBe('1,665');
  });

  it('verify without a key or a checkpoint names the commands that make them', async () => {
    expect((await sandbox.run(['import', path.join(EXAMPLES, '01-new-teacher.ndjson')])).code).toBe(
      0,
    );
    const noKey = await sandbox.run(['verify']);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('`nhagiao signing init`');
    expect(noKey.stderr).toContain('`nhagiao audit checkpoint`');
    expect((await sandbox.run(['signing', 'init'])).code).toBe(0);
    const unsigned = await sandbox.run(['verify']);
    expect(unsigned.code).toBe(3);
    expect(unsigned.stdout).toMatch(
      /not covered by any checkpoint, from position 1: the operator signs them with `nhagiao audit checkpoint`/,
    );
  });
});

describe('keys create --units', () => {
  it('refuses a unit that is not registered, naming it and the step missing', async () => {
    const sandbox = cliSandbox();
    try {
      const before = await sandbox.run([
        'keys',
        'create',
        '--role',
        'integrator',
        '--units',
        'cdbk',
      ]);
      expect(before.code).toBe(64);
      expect(before.stderr).toContain(
        '--units: cdbk not registered: record UnitRegistered for each first',
      );
      expect(
        (await sandbox.run(['import', path.join(EXAMPLES, '01-new-teacher.ndjson')])).code,
      ).toBe(0);
      const typo = await sandbox.run([
        'keys',
        'create',
        '--role',
        'integrator',
        '--units',
        'cdbk,gdnn-na-rii',
      ]);
      expect(typo.code).toBe(64);
      expect(typo.stderr).toContain('--units: gdnn-na-rii not registered');
      const ok = await sandbox.run([
        'keys',
        'create',
        '--role',
        'integrator',
        '--units',
        'cdbk,gdnn-na-ri',
      ]);
      expect(ok.code).toBe(0);
      expect((await sandbox.run(['keys', 'list'])).stdout).toContain('cdbk,gdnn-na-ri');
    } finally {
      sandbox.cleanup();
    }
  });

  it('refuses a unit merged into another, naming the surviving unit and the date', async () => {
    const sandbox = cliSandbox();
    const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-merge-'));
    try {
      expect(
        (await sandbox.run(['import', path.join(EXAMPLES, '01-new-teacher.ndjson')])).code,
      ).toBe(0);
      const merge = path.join(dir, 'merge.ndjson');
      writeFileSync(
        merge,
        `${JSON.stringify({
          id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          type: 'UnitMerged',
          data: { unitId: 'gdnn-na-ri', intoUnitId: 'cdbk', effectiveOn: '2025-01-01' },
        })}\n`,
      );
      expect((await sandbox.run(['import', merge])).code).toBe(0);
      const listed = (await sandbox.run(['keys', 'list'])).stdout;
      const refused = await sandbox.run([
        'keys',
        'create',
        '--role',
        'integrator',
        '--units',
        'gdnn-na-ri',
      ]);
      expect(refused.code).toBe(64);
      expect(refused.stderr).toContain(
        '--units: gdnn-na-ri was merged into cdbk on 2025-01-01: a key of a merged-away unit records nothing; create the key for cdbk instead',
      );
      expect((await sandbox.run(['keys', 'list'])).stdout).toBe(listed);
      expect(
        (await sandbox.run(['keys', 'create', '--role', 'integrator', '--units', 'cdbk'])).code,
      ).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      sandbox.cleanup();
    }
  });
});
