import { CENTRE_A, CENTRE_B, COLLEGE, envelope, setupEvents } from '../test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from '../test-support/http.js';
import { type Stack, openStack } from '../test-support/stack.js';

interface Pipeline {
  population: number;
  knownAt: string | null;
  postgraduate: Record<string, unknown>[];
  enrolments: Record<string, unknown>[];
  departures: Record<string, unknown>[];
}

const hire = (teacherId: string, unitId: string, employment: 'permanent' | 'visiting') => [
  envelope('TeacherRegistered', { teacherId, fullName: `Giáo viên ${teacherId}` }),
  envelope('TeacherHired', {
    teacherId,
    unitId,
    employment,
    hiredOn: '2020-09-01',
    levels: ['intermediate'],
    mode: 'integrated',
  }),
];

const noTrained = {
  'curriculum-outcomes': 0,
  'quality-accreditation': 0,
  'digital-materials': 0,
  'digital-transformation': 0,
};

describe('GET /v1/pipeline on a hand-made history', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let admin: string;
  let reporter: string;
  let auditor: string;
  const abandonment = envelope('PostgraduateStudyAbandoned', {
    teacherId: 'gv-a-3',
    level: 'master',
    abandonedOn: '2025-03-01',
  });

  const auth = (secret: string) => ({ authorization: `Bearer ${secret}` });
  const post = async (events: unknown[]) => {
    const res = await http({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth(admin), 'content-type': 'application/json' },
      payload: JSON.stringify(events),
    });
    expect(res.statusCode).toBe(200);
  };
  const pipeline = async (query: string, secret = reporter): Promise<Pipeline> => {
    const res = await http({ url: `/v1/pipeline?${query}`, headers: auth(secret) });
    expect(res.statusCode).toBe(200);
    return res.json<Pipeline>();
  };

  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    admin = stack.keys.create({ role: 'admin' }).secret;
    reporter = stack.keys.create({ role: 'reporter' }).secret;
    auditor = stack.keys.create({ role: 'auditor' }).secret;
    await post([
      // gv-college-1 at the college, gv-b-1 at Na Rì, both permanent since 2020.
      ...setupEvents(),
      ...hire('gv-a-1', CENTRE_A, 'permanent'),
      ...hire('gv-a-2', CENTRE_A, 'visiting'),
      ...hire('gv-a-3', CENTRE_A, 'permanent'),
      envelope('ProgrammeRegistered', {
        programmeId: 'kd-2025',
        title: 'Kiểm định chất lượng và phát triển chương trình',
        provider: 'Sở GDĐT',
        topics: ['quality-accreditation', 'curriculum-outcomes'],
      }),
      // A master's under way, expected in 2025, by a teacher with no master yet.
      envelope('PostgraduateStudyStarted', {
        teacherId: 'gv-college-1',
        level: 'master',
        institution: 'Đại học Thái Nguyên',
        startedOn: '2024-09-01',
        expectedOn: '2025-10-31',
      }),
      // A master's finished by the degree in May 2025: under way before, not after.
      envelope('PostgraduateStudyStarted', {
        teacherId: 'gv-b-1',
        level: 'master',
        institution: 'Đại học Thái Nguyên',
        startedOn: '2023-09-01',
        expectedOn: '2025-06-01',
      }),
      envelope('DegreeAwarded', {
        teacherId: 'gv-b-1',
        degreeId: 'ths-b-1',
        level: 'master',
        field: 'Khoa học giáo dục',
        institution: 'Đại học Thái Nguyên',
        awardedOn: '2025-05-20',
      }),
      // A doctorate by a teacher who already holds a master: under way, adds nobody to master-or-above.
      envelope('DegreeAwarded', {
        teacherId: 'gv-a-1',
        degreeId: 'ths-a-1',
        level: 'master',
        field: 'Cơ khí',
        institution: 'Đại học Bách khoa Hà Nội',
        awardedOn: '2018-06-01',
      }),
      envelope('PostgraduateStudyStarted', {
        teacherId: 'gv-a-1',
        level: 'doctorate',
        institution: 'Đại học Bách khoa Hà Nội',
        startedOn: '2024-01-01',
        expectedOn: '2027-12-31',
      }),
      // Abandoned in March 2025; a visiting teacher's study is outside the population.
      envelope('PostgraduateStudyStarted', {
        teacherId: 'gv-a-3',
        level: 'master',
        institution: 'Đại học Thái Nguyên',
        startedOn: '2024-02-01',
      }),
      abandonment,
      envelope('PostgraduateStudyStarted', {
        teacherId: 'gv-a-2',
        level: 'master',
        institution: 'Đại học Thái Nguyên',
        startedOn: '2024-02-01',
        expectedOn: '2025-12-31',
      }),
      // Enrolments: open, completed, withdrawn, open.
      envelope('TeacherEnrolled', {
        teacherId: 'gv-college-1',
        programmeId: 'cds-2025',
        enrolledOn: '2025-03-01',
      }),
      envelope('TeacherEnrolled', {
        teacherId: 'gv-b-1',
        programmeId: 'cds-2025',
        enrolledOn: '2025-02-01',
      }),
      envelope('CourseCompleted', {
        teacherId: 'gv-b-1',
        programmeId: 'cds-2025',
        completedOn: '2025-05-01',
      }),
      envelope('TeacherEnrolled', {
        teacherId: 'gv-a-1',
        programmeId: 'kd-2025',
        enrolledOn: '2025-04-01',
      }),
      envelope('EnrolmentWithdrawn', {
        teacherId: 'gv-a-1',
        programmeId: 'kd-2025',
        withdrawnOn: '2025-06-01',
      }),
      envelope('TeacherEnrolled', {
        teacherId: 'gv-a-3',
        programmeId: 'kd-2025',
        enrolledOn: '2025-05-01',
      }),
      // Announced: gv-b-1 retires on 1 September 2025.
      envelope('TeacherLeft', { teacherId: 'gv-b-1', leftOn: '2025-09-01', reason: 'retired' }),
    ]);
  });
  afterAll(() => stack.close());

  it('counts studies under way, open enrolments and announced departures in the population', async () => {
    const body = await pipeline('asOf=2025-06-30');
    expect(body.population).toBe(4);
    expect(body.postgraduate).toEqual([
      { expectedYear: 2025, level: 'master', studies: 1, newToMasterOrAbove: 1 },
      { expectedYear: 2027, level: 'doctorate', studies: 1, newToMasterOrAbove: 0 },
    ]);
    expect(body.enrolments).toEqual([
      { topic: 'curriculum-outcomes', enrolments: 1, teachers: 1, notYetTrained: 1 },
      { topic: 'quality-accreditation', enrolments: 1, teachers: 1, notYetTrained: 1 },
      { topic: 'digital-transformation', enrolments: 1, teachers: 1, notYetTrained: 1 },
    ]);
    expect(body.departures).toEqual([
      {
        month: '2025-09',
        teachers: 1,
        masterOrAbove: 1,
        trained: { ...noTrained, 'digital-transformation': 1 },
      },
    ]);
    expect(body.knownAt).toBe(String(await stack.store.head()));
  });

  it('follows asOf: earlier the finished master is still under way and the withdrawn enrolment open', async () => {
    const body = await pipeline('asOf=2025-05-15');
    expect(body.postgraduate).toEqual([
      { expectedYear: 2025, level: 'master', studies: 2, newToMasterOrAbove: 2 },
      { expectedYear: 2027, level: 'doctorate', studies: 1, newToMasterOrAbove: 0 },
    ]);
    expect(body.enrolments).toEqual([
      { topic: 'curriculum-outcomes', enrolments: 2, teachers: 2, notYetTrained: 2 },
      { topic: 'quality-accreditation', enrolments: 2, teachers: 2, notYetTrained: 2 },
      { topic: 'digital-transformation', enrolments: 1, teachers: 1, notYetTrained: 1 },
    ]);
    // After the leave date the teacher is no longer in the population at all.
    const after = await pipeline('asOf=2025-09-01');
    expect(after.population).toBe(3);
    expect(after.departures).toEqual([]);
  });

  it('narrows to a scope', async () => {
    const centre = await pipeline(`asOf=2025-06-30&scope=unit:${CENTRE_A}`);
    expect(centre.population).toBe(2);
    expect(centre.postgraduate).toEqual([
      { expectedYear: 2027, level: 'doctorate', studies: 1, newToMasterOrAbove: 0 },
    ]);
    expect(centre.departures).toEqual([]);
    const area = await pipeline('asOf=2025-06-30&scope=area:na-ri');
    expect(area.population).toBe(1);
    expect(area.departures).toHaveLength(1);
    const college = await pipeline('asOf=2025-06-30&scope=kind:college');
    expect(college.postgraduate).toEqual([
      { expectedYear: 2025, level: 'master', studies: 1, newToMasterOrAbove: 1 },
    ]);
    expect(college.population).toBe(1);
    expect((await pipeline(`scope=unit:${COLLEGE}`)).population).toBe(1);
    expect((await pipeline(`asOf=2025-06-30&scope=unit:${CENTRE_B}`)).population).toBe(1);
  });

  it('names the teachers to auditors only; integrators are refused', async () => {
    const audited = await pipeline('asOf=2025-06-30', auditor);
    expect(audited.postgraduate[0]).toMatchObject({ teacherIds: ['gv-college-1'] });
    expect(audited.departures[0]).toMatchObject({ teacherIds: ['gv-b-1'] });
    const counted = await pipeline('asOf=2025-06-30', reporter);
    expect(JSON.stringify(counted)).not.toContain('gv-');
    const integrator = stack.keys.create({ role: 'integrator', units: [CENTRE_A] }).secret;
    const res = await http({ url: '/v1/pipeline', headers: auth(integrator) });
    expect(res.statusCode).toBe(403);
    const bad = await http({ url: '/v1/pipeline?scope=district', headers: auth(reporter) });
    expect(bad.statusCode).toBe(400);
  });

  it('sees events appended later, including a retraction', async () => {
    await pipeline('asOf=2025-06-30');
    // The abandonment was a data-entry error: the study is under way again, with no expected date.
    await post([
      envelope('EventRetracted', {
        teacherId: 'gv-a-3',
        eventId: abandonment.id,
        reason: 'nhập nhầm',
      }),
      envelope('PostgraduateStudyStarted', {
        teacherId: 'gv-college-1',
        level: 'doctorate',
        institution: 'Đại học Thái Nguyên',
        startedOn: '2025-01-01',
        expectedOn: '2028-12-31',
      }),
    ]);
    const body = await pipeline('asOf=2025-06-30');
    expect(body.postgraduate).toEqual([
      { expectedYear: 2025, level: 'master', studies: 1, newToMasterOrAbove: 1 },
      { expectedYear: 2027, level: 'doctorate', studies: 1, newToMasterOrAbove: 0 },
      // gv-college-1's second study adds no second teacher to master-or-above.
      { expectedYear: 2028, level: 'doctorate', studies: 1, newToMasterOrAbove: 0 },
      { expectedYear: null, level: 'master', studies: 1, newToMasterOrAbove: 1 },
    ]);
  });
});
