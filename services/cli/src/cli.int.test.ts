import { cliSandbox, ev } from './test-support/run.js';

interface Row {
  indicator: string;
  scope: string;
  numerator: number;
  denominator: number;
  value: number | null;
}

const unit = (unitId: string, kind: string, area: string) =>
  ev('UnitRegistered', {
    unitId,
    name: `Đơn vị ${unitId}`,
    kind,
    area,
    registeredOn: '2005-01-01',
  });
const teacher = (teacherId: string) =>
  ev('TeacherRegistered', { teacherId, fullName: `Nguyễn Văn ${teacherId}` });
const hire = (
  teacherId: string,
  unitId: string,
  hiredOn: string,
  more: Record<string, unknown> = {},
) =>
  ev('TeacherHired', {
    teacherId,
    unitId,
    employment: 'permanent',
    hiredOn,
    levels: ['college'],
    mode: 'theory',
    ...more,
  });
const degree = (
  teacherId: string,
  degreeId: string,
  level: string,
  awardedOn: string,
  pedagogical = false,
) =>
  ev('DegreeAwarded', {
    teacherId,
    degreeId,
    level,
    field: 'Kỹ thuật điện',
    institution: 'ĐH Thái Nguyên',
    awardedOn,
    pedagogical,
  });
const programme = (programmeId: string, topics: string[]) =>
  ev('ProgrammeRegistered', { programmeId, title: `Khoá ${programmeId}`, provider: 'Sở', topics });
const course = (
  teacherId: string,
  programmeId: string,
  enrolledOn: string,
  completedOn: string,
) => [
  ev('TeacherEnrolled', { teacherId, programmeId, enrolledOn }),
  ev('CourseCompleted', { teacherId, programmeId, completedOn }),
];

const t3Left = ev('TeacherLeft', { teacherId: 't3', leftOn: '2025-06-30', reason: 'resigned' });

/** The base history: see each assertion for who counts and why. */
const fileA = [
  unit('cd', 'college', 'a1'),
  unit('tt1', 'vet-centre', 'a2'),
  unit('tt2', 'vet-centre', 'a3'),
  programme('p-cds', ['digital-transformation']),
  programme('p-ped', ['pedagogy']),
  // t1: college lecturer, pedagogical bachelor and a master's: counts everywhere.
  teacher('t1'),
  hire('t1', 'cd', '2020-09-01'),
  degree('t1', 'd1', 'bachelor', '2015-06-01', true),
  degree('t1', 'd2', 'master', '2019-06-01'),
  ...course('t1', 'p-cds', '2024-03-01', '2024-03-10'),
  // t2: visiting, never counted.
  teacher('t2'),
  hire('t2', 'cd', '2021-01-01', { employment: 'visiting' }),
  degree('t2', 'd3', 'master', '2010-01-01'),
  // t3: master's, at tt1 until 2025-06-30 (leftOn is the first day not employed); trained before countFrom.
  teacher('t3'),
  hire('t3', 'tt1', '2018-01-01', { levels: ['elementary'], mode: 'practice' }),
  degree('t3', 'd4', 'master', '2017-01-01'),
  ...course('t3', 'p-cds', '2023-05-01', '2023-05-02'),
  t3Left,
  // t4: bachelor at tt2; completes p-ped (pedagogy only, until corrected).
  teacher('t4'),
  hire('t4', 'tt2', '2019-01-01', { levels: ['elementary'], mode: 'practice' }),
  degree('t4', 'd5', 'bachelor', '2012-01-01'),
  ...course('t4', 'p-ped', '2024-05-01', '2024-05-10'),
  // t5: college practice lecturer with national skill level 2 only: not qualified (needs level 3).
  teacher('t5'),
  hire('t5', 'cd', '2022-01-01', { mode: 'practice' }),
  ev('CertificateIssued', {
    teacherId: 't5',
    certificateId: 'c1',
    kind: 'national-skill',
    level: 2,
    issuedOn: '2020-01-01',
  }),
  ev('CertificateIssued', {
    teacherId: 't5',
    certificateId: 'c2',
    kind: 'pedagogy-vet',
    issuedOn: '2021-01-01',
  }),
  // t6: at tt1, which merges into tt2 on 2025-07-01.
  teacher('t6'),
  hire('t6', 'tt1', '2024-01-01', { levels: ['elementary'], mode: 'practice' }),
  ev('UnitMerged', { unitId: 'tt1', intoUnitId: 'tt2', effectiveOn: '2025-07-01' }),
];

describe('nhagiao through the command line', () => {
  const box = cliSandbox();
  afterAll(() => box.cleanup());

  const figures = async (asOf: string, by = 'province', extra: string[] = []): Promise<Row[]> => {
    const r = await box.run([
      'indicators',
      '--as-of',
      asOf,
      '--by',
      by,
      '--format',
      'json',
      ...extra,
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(r.stdout) as Row[];
  };
  const figure = async (code: string, asOf: string, scope = 'province', extra: string[] = []) => {
    const by = scope === 'province' ? 'province' : scope.slice(0, scope.indexOf(':'));
    const row = (await figures(asOf, by, extra)).find(
      (r) => r.indicator === code && r.scope === scope,
    );
    return row === undefined ? undefined : `${row.numerator}/${row.denominator}`;
  };
  const headAfter = (stderr: string): string =>
    /store head: position (\d+)/.exec(stderr)?.[1] ?? 'none';
  let afterA = '';
  let afterB = '';

  it('imports a history and reports what it appended', async () => {
    const r = await box.run(['import', box.file(fileA)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${fileA.length} appended, 0 duplicates, 0 rejected`);
    afterA = headAfter(r.stderr);
  });

  it.each([
    // [indicator, as of, scope, numerator/denominator]
    ['master-or-above', '2025-06-29', 'province', '2/5'], // t1, t3 of t1 t3 t4 t5 t6; t2 is visiting
    ['master-or-above', '2025-06-30', 'province', '1/4'], // t3 left on the 30th
    ['master-or-above', '2019-05-31', 'province', '1/2'], // t3 and t4 only: t1, t5, t6 not yet hired
    ['college-lecturers-qualified', '2025-12-31', 'province', '1/2'], // t1 yes, t5 practice fails
    ['trained-digital-transformation', '2024-12-31', 'province', '1/5'], // t3's 2023 course is before countFrom
    ['trained-curriculum-outcomes', '2024-12-31', 'province', '0/5'], // p-ped is pedagogy only
    ['master-or-above', '2025-06-30', 'unit:tt1', '0/1'], // t6 before the merge
    ['master-or-above', '2025-07-01', 'unit:tt2', '0/2'], // t4 and t6 after the merge
    ['master-or-above', '2025-12-31', 'area:a3', '0/2'],
    ['college-lecturers-qualified', '2025-12-31', 'kind:college', '1/2'],
  ])('%s as of %s for %s is %s', async (code, asOf, scope, expected) => {
    expect(await figure(code, asOf, scope)).toBe(expected);
  });

  it('counts a late record from its valid date, and --known-at still shows what was known before', async () => {
    const r = await box.run(['import', box.file([degree('t4', 'd6', 'master', '2021-03-01')])]);
    expect(r.code).toBe(0);
    afterB = headAfter(r.stderr);
    expect(await figure('master-or-above', '2025-06-30')).toBe('2/4');
    expect(await figure('master-or-above', '2025-06-30', 'province', ['--known-at', afterA])).toBe(
      '1/4',
    );
    expect(await figure('master-or-above', '2025-06-30', 'province', ['--known-at', afterB])).toBe(
      '2/4',
    );
    const history = await box.run([
      'history',
      'master-or-above',
      '--scope',
      'province',
      '--format',
      'json',
    ]);
    const changes = (
      JSON.parse(history.stdout) as {
        changes: {
          teacherId: string;
          validFrom: string;
          dNumerator: number;
          lateCorrection: boolean;
        }[];
      }
    ).changes;
    expect(changes.find((c) => c.teacherId === 't4' && c.dNumerator === 1)).toMatchObject({
      validFrom: '2021-03-01',
      lateCorrection: true,
    });
  });

  it('applies a topic correction to every completion of the programme, from the moment it is recorded', async () => {
    await box.run([
      'import',
      box.file([
        ev('ProgrammeTopicsCorrected', {
          programmeId: 'p-ped',
          topics: ['pedagogy', 'curriculum-outcomes'],
          reason: 'sửa',
        }),
      ]),
    ]);
    expect(await figure('trained-curriculum-outcomes', '2024-12-31')).toBe('1/5');
    expect(
      await figure('trained-curriculum-outcomes', '2024-12-31', 'province', ['--known-at', afterB]),
    ).toBe('0/5');
  });

  it('reopens an employment when its leave is retracted', async () => {
    const r = await box.run([
      'import',
      box.file([
        ev('EventRetracted', { teacherId: 't3', eventId: t3Left.id, reason: 'nhập nhầm' }),
      ]),
    ]);
    expect(r.stderr).toContain('1 appended');
    expect(await figure('master-or-above', '2025-12-31', 'unit:tt2')).toBe('2/3'); // t3 (master) now at tt2 via the merge
  });

  it('explains who is counted, with the events that decide it', async () => {
    const r = await box.run([
      'explain',
      'college-lecturers-qualified',
      '--as-of',
      '2025-12-31',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      numerator: number;
      denominator: number;
      teachers: { teacherId: string; numerator: number; reasons: string[]; eventIds: string[] }[];
    };
    expect(`${out.numerator}/${out.denominator}`).toBe('1/2');
    const t5 = out.teachers.find((t) => t.teacherId === 't5');
    expect(t5?.numerator).toBe(0);
    expect(t5?.reasons.join(' ')).toMatch(/practice|thực hành/);
    expect(out.teachers.find((t) => t.teacherId === 't1')?.eventIds.length).toBeGreaterThan(0);
    const table = await box.run([
      'explain',
      'master-or-above',
      '--as-of',
      '2025-12-31',
      '--scope',
      'unit:cd',
    ]);
    expect(table.stdout).toContain('Nguyễn Văn t1');
  });

  it('rejects a file with a bad line whole, naming file, line, field and reason', async () => {
    const before = await figures('2025-12-31');
    const file = box.file([
      teacher('t9'),
      { ...hire('t9', 'cd', '2025-02-30') },
      hire('t9', 'nowhere', '2025-01-01'),
    ]);
    const r = await box.run(['import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:2 data.hiredOn: 2025-02-30 is not a day of the calendar`);
    expect(r.stderr).toContain(`${file}:3 data.unitId:`);
    expect(r.stderr).toContain('nothing appended');
    expect(await figures('2025-12-31')).toEqual(before);
    expect(
      await box
        .run([
          'explain',
          'master-or-above',
          '--as-of',
          '2025-12-31',
          '--scope',
          'unit:cd',
          '--format',
          'json',
        ])
        .then((x) => x.stdout),
    ).not.toContain('t9');
  });

  it('reports the same file again as duplicates and changes nothing', async () => {
    const r = await box.run(['import', box.file(fileA)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`0 appended, ${fileA.length} duplicates`);
  });

  it.each([
    [['indicators', '--as-of', '2025-02-30'], 64, '--as-of 2025-02-30'],
    [['indicators', '--bogus'], 64, "Unknown option '--bogus'"],
    [['indicators', '--indicator', 'nope'], 2, 'nope is not an indicator of plan bac-kan-423-2024'],
    [['indicators', '--by', 'district'], 64, '--by district'],
    [['explain', 'master-or-above'], 64, '--as-of'],
    [
      ['explain', 'master-or-above', '--as-of', '2025-01-01', '--scope', 'unit'],
      64,
      '--scope unit',
    ],
    [['import', 'no-such-file.ndjson'], 1, 'cannot read no-such-file.ndjson: no such file'],
    [['frobnicate'], 64, 'unknown command "frobnicate"'],
  ])('%j fails with exit %i and one line', async (args, code, message) => {
    const r = await box.run(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('nhagiao on an empty data dir', () => {
  const box = cliSandbox();
  afterAll(() => box.cleanup());
  it.each([
    [['explain', 'master-or-above', '--as-of', '2025-01-01']],
    [['indicators']],
    [['history', 'master-or-above']],
  ])('%j says to import first instead of printing an empty province', async (args) => {
    const r = await box.run(args);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no event store');
    expect(r.stdout).toBe('');
  });
});

describe('edges the contract allows', () => {
  const box = cliSandbox();
  afterAll(() => box.cleanup());

  it('accepts a leave on the hire date (counted on no day) and a transfer to the unit already worked at', async () => {
    const events = [
      unit('cd', 'college', 'a1'),
      teacher('z1'),
      hire('z1', 'cd', '2024-03-01'),
      ev('TeacherLeft', { teacherId: 'z1', leftOn: '2024-03-01', reason: 'other' }),
      teacher('z2'),
      hire('z2', 'cd', '2024-03-01'),
      ev('TeacherTransferred', { teacherId: 'z2', toUnitId: 'cd', effectiveOn: '2024-06-01' }),
    ];
    const r = await box.run(['import', box.file(events)]);
    expect(r.code).toBe(0);
    for (const asOf of ['2024-03-01', '2024-06-01', '2025-01-01']) {
      const out = await box.run([
        'indicators',
        '--as-of',
        asOf,
        '--indicator',
        'master-or-above',
        '--format',
        'json',
      ]);
      expect((JSON.parse(out.stdout) as Row[])[0]).toMatchObject({ numerator: 0, denominator: 1 });
    }
    const history = await box.run(['history', 'master-or-above', '--format', 'json']);
    const changes = (
      JSON.parse(history.stdout) as { changes: { teacherId: string; dDenominator: number }[] }
    ).changes;
    // The hire and the same-day leave cancel out; the transfer to the same unit moved nothing.
    expect(changes.filter((c) => c.teacherId === 'z1').map((c) => c.dDenominator)).toEqual([1, -1]);
    expect(changes.filter((c) => c.teacherId === 'z2').map((c) => c.dDenominator)).toEqual([1]);
  });
});
