import { COLLEGE, CENTRE_A, envelope, setupEvents, teacherAt } from '../test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from '../test-support/http.js';
import { type Stack, openStack } from '../test-support/stack.js';
import { monthEnds, teachersShort } from './dashboard.js';

interface Counts {
  numerator: number;
  denominator: number;
  value: number | null;
}
interface Overview {
  asOf: string;
  knownAt: string | null;
  indicators: {
    code: string;
    figure: Counts;
    corrected: Counts | null;
    targets: {
      year: number;
      target: number;
      shortNow: number;
      result: (Counts & { met: boolean | null; short: number }) | null;
    }[];
    series: (Counts & { date: string })[];
    behind: (Counts & { unitId: string; name: string; short: number })[];
  }[];
  pipeline: Record<string, unknown> | null;
}

describe('teachersShort and monthEnds', () => {
  it('counts the teachers a figure lacks, without float noise', () => {
    expect(teachersShort(25, 100, 0.43)).toBe(18);
    expect(teachersShort(43, 100, 0.43)).toBe(0);
    expect(teachersShort(62, 242, 0.43)).toBe(43); // 0.43 × 242 = 104.06 → 105 needed
    expect(teachersShort(50, 40, 0.5)).toBe(0);
    expect(teachersShort(0, 0, 0.5)).toBe(0);
    expect(teachersShort(0, 7, 1)).toBe(7);
  });
  it('lists month ends up to the date, which ends the list', () => {
    expect(monthEnds('2024-01', '2024-03-15')).toEqual(['2024-01-31', '2024-02-29', '2024-03-15']);
    expect(monthEnds('2024-01', '2024-02-29')).toEqual(['2024-01-31', '2024-02-29']);
  });
});

describe('GET /v1/dashboard/overview on a hand-made history', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let admin: string;
  let reporter: string;
  let auditor: string;
  let before: string;
  const auth = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const overview = async (query: string, secret = reporter): Promise<Overview> => {
    const res = await http({ url: `/v1/dashboard/overview?${query}`, headers: auth(secret) });
    expect(res.statusCode).toBe(200);
    return res.json<Overview>();
  };

  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    admin = stack.keys.create({ role: 'admin' }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    auditor = stack.keys.create({ role: 'auditor' }).secret;
    before = new Date(Date.now() - 60_000).toISOString();
    const res = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth(admin), 'content-type': 'application/json' },
      payload: JSON.stringify([
        ...setupEvents(),
        ...teacherAt('gv-c-2', COLLEGE, 'Lê Văn Cường'),
        ...teacherAt('gv-c-3', COLLEGE, 'Phạm Thị Dung'),
        ...teacherAt('gv-a-1', CENTRE_A, 'Đỗ Văn Em'),
        // One master's in 2024 at the college: 1 of 5 on 31/12/2025.
        envelope('DegreeAwarded', {
          teacherId: 'gv-c-2',
          degreeId: 'ths-c-2',
          level: 'master',
          field: 'Cơ khí',
          institution: 'Đại học Thái Nguyên',
          awardedOn: '2024-06-01',
        }),
        // A second in 2026: after the 2025 judging date, so the 2025 result stays 1 of 5.
        envelope('DegreeAwarded', {
          teacherId: 'gv-c-3',
          degreeId: 'ths-c-3',
          level: 'master',
          field: 'Điện',
          institution: 'Đại học Thái Nguyên',
          awardedOn: '2026-03-01',
        }),
        envelope('PostgraduateStudyStarted', {
          teacherId: 'gv-a-1',
          level: 'master',
          institution: 'Đại học Thái Nguyên',
          startedOn: '2025-09-01',
          expectedOn: '2027-06-30',
        }),
      ]),
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(() => stack.close());

  it('judges a passed target on its own date, and counts the teachers short now and then', async () => {
    const data = await overview('asOf=2026-06-30');
    const master = data.indicators.find((i) => i.code === 'master-or-above');
    expect(master?.figure).toEqual({ numerator: 2, denominator: 5, value: 0.4 });
    const t2025 = master?.targets.find((t) => t.year === 2025);
    // 43 % of 5 is 2.15: 3 teachers needed on 31/12/2025, when 1 held a master's.
    expect(t2025?.result).toEqual({
      numerator: 1,
      denominator: 5,
      value: 0.2,
      met: false,
      short: 2,
    });
    expect(t2025?.shortNow).toBe(1);
    const t2030 = master?.targets.find((t) => t.year === 2030);
    expect(t2030?.result).toBeNull();
    expect(t2030?.shortNow).toBe(1);
    // The series ends on asOf, one point a month since January 2024.
    expect(master?.series.length).toBe(30);
    expect(master?.series.at(-1)).toEqual({
      date: '2026-06-30',
      numerator: 2,
      denominator: 5,
      value: 0.4,
    });
    // Furthest behind against 2030: Ba Bể (0 of 1) and Na Rì (0 of 1) lack one each; the college (2 of 3) none.
    expect(master?.behind.map((u) => [u.unitId, u.short])).toEqual([
      [CENTRE_A, 1],
      ['ttgdnn-na-ri', 1],
    ]);
    expect(master?.behind[0]?.name).toBe('Trung tâm GDNN-GDTX Ba Bể');
  });

  it('says nothing was known before the first event, with zeros, not an error', async () => {
    const data = await overview(
      `asOf=2025-12-31&knownAt=${encodeURIComponent('2001-01-01T00:00:00Z')}`,
    );
    expect(data.knownAt).toBe('-1');
    for (const i of data.indicators) {
      expect(i.figure).toEqual({ numerator: 0, denominator: 0, value: null });
      expect(i.corrected?.denominator).toBeGreaterThan(0);
    }
    const known = await overview(`asOf=2025-12-31&knownAt=${encodeURIComponent(before)}`);
    expect(known.knownAt).toBe('-1');
  });

  it('gives pipeline counts to a reporter without a teacher id, even after an auditor asked', async () => {
    const forAuditor = await overview('asOf=2025-12-31', auditor);
    expect(JSON.stringify(forAuditor)).not.toContain('teacherIds');
    const forReporter = await overview('asOf=2025-12-31');
    expect(JSON.stringify(forReporter)).not.toContain('gv-a-1');
    expect((forReporter.pipeline as { population: number }).population).toBe(5);
    const integrator = stack.keys.create({ role: 'integrator', units: [COLLEGE] }).secret;
    expect((await overview('asOf=2025-12-31', integrator)).pipeline).toBeNull();
  });

  it('refuses a malformed date with the field named', async () => {
    const res = await http({
      url: '/v1/dashboard/overview?asOf=2025-13-40',
      headers: auth(reporter),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('asOf');
  });
});

describe('GET /v1/dashboard/unit on a hand-made history', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let reporter: string;
  let auditor: string;
  const auth = (secret: string) => ({ authorization: `Bearer ${secret}` });

  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    const admin = stack.keys.create({ role: 'admin' }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    auditor = stack.keys.create({ role: 'auditor' }).secret;
    const res = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth(admin), 'content-type': 'application/json' },
      payload: JSON.stringify([
        ...setupEvents(),
        ...teacherAt('gv-c-2', COLLEGE, 'Lê Văn Cường'),
        envelope('DegreeAwarded', {
          teacherId: 'gv-c-2',
          degreeId: 'ths-c-2',
          level: 'master',
          field: 'Cơ khí',
          institution: 'Đại học Thái Nguyên',
          awardedOn: '2024-06-01',
        }),
      ]),
    });
    expect(res.statusCode).toBe(200);
  });
  afterAll(() => stack.close());

  it('gives a reporter counts and no teacher, and an auditor the names of who lacks what', async () => {
    const get = async (secret: string) => {
      const res = await http({
        url: `/v1/dashboard/unit?unitId=${COLLEGE}&asOf=2025-12-31`,
        headers: auth(secret),
      });
      expect(res.statusCode).toBe(200);
      return res;
    };
    const forReporter = await get(reporter);
    expect(forReporter.body).not.toContain('Nguyễn Văn An');
    expect(forReporter.body).not.toContain('gv-college-1');
    const data = forReporter.json<{
      unit: { name: string };
      indicators: { code: string; figure: Counts; target: { short: number } | null }[];
    }>();
    expect(data.unit.name).toBe('Trường Cao đẳng Bắc Kạn');
    const master = data.indicators.find((i) => i.code === 'master-or-above');
    expect(master?.figure).toEqual({ numerator: 1, denominator: 2, value: 0.5 });
    expect(master?.target).toEqual({ year: 2025, target: 0.43, short: 0 });

    const forAuditor = (await get(auditor)).json<{
      indicators: { code: string; lacking?: { teacherId: string; fullName: string | null }[] }[];
    }>();
    expect(forAuditor.indicators.find((i) => i.code === 'master-or-above')?.lacking).toEqual([
      { teacherId: 'gv-college-1', fullName: 'Nguyễn Văn An' },
    ]);
    const unknown = await http({
      url: '/v1/dashboard/unit?unitId=nowhere',
      headers: auth(reporter),
    });
    expect(unknown.statusCode).toBe(404);
  });
});
