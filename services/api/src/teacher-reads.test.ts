import { CENTRE_A, CENTRE_B, COLLEGE, envelope, setupEvents } from './test-support/fixtures.js';
import { type HttpRequest, type HttpResponse, listenForTests } from './test-support/http.js';
import { type Stack, openStack } from './test-support/stack.js';

type Json = Record<string, unknown>;
interface EventsBody {
  events: { type: string; data: Record<string, unknown> }[];
}

/**
 * What a unit's key reads of a teacher (docs/authority.md § A re-hire, and what
 * a unit may read): a hire of another unit's former teacher opens only the
 * hiring unit's own span and the teacher's qualifications, never the rest.
 */
describe('teacher reads by an integrator key', () => {
  let stack: Stack;
  let http: (request: HttpRequest) => Promise<HttpResponse>;
  let admin: string;
  let centreA: string;
  let centreB: string;
  let college: string;

  const post = (secret: string, body: unknown) =>
    http({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  const get = (secret: string, url: string) =>
    http({ method: 'GET', url, headers: { authorization: `Bearer ${secret}` } });

  beforeAll(async () => {
    stack = await openStack();
    http = await listenForTests(stack.app);
    admin = stack.keys.create({ role: 'admin' }).secret;
    centreA = stack.keys.create({ role: 'integrator', units: [CENTRE_A] }).secret;
    centreB = stack.keys.create({ role: 'integrator', units: [CENTRE_B] }).secret;
    college = stack.keys.create({ role: 'integrator', units: [COLLEGE] }).secret;
    expect((await post(admin, setupEvents())).statusCode).toBe(200);
    // Centre B's teacher: a degree, a completed course and a contest there, then a leave.
    const b = await post(centreB, [
      envelope('DegreeAwarded', {
        teacherId: 'gv-b-1',
        degreeId: 'ths-b-1',
        level: 'master',
        field: 'Điện',
        institution: 'ĐH Thái Nguyên',
        awardedOn: '2019-06-01',
      }),
      envelope('TeacherEnrolled', {
        teacherId: 'gv-b-1',
        programmeId: 'cds-2025',
        enrolledOn: '2021-01-01',
      }),
      envelope('CourseCompleted', {
        teacherId: 'gv-b-1',
        programmeId: 'cds-2025',
        completedOn: '2021-06-01',
      }),
      envelope('TeacherLeft', { teacherId: 'gv-b-1', leftOn: '2022-01-01', reason: 'resigned' }),
    ]);
    expect(b.statusCode).toBe(200);
  });
  afterAll(() => stack.close());

  it("a re-hire of another unit's former teacher reads the hiring unit's span and the degrees, not the former unit's history", async () => {
    expect((await get(centreA, '/v1/teachers/gv-b-1/events')).statusCode).toBe(403);
    const hire = await post(centreA, [
      envelope('TeacherHired', {
        teacherId: 'gv-b-1',
        unitId: CENTRE_A,
        employment: 'visiting',
        hiredOn: '2023-01-01',
        levels: ['intermediate'],
        mode: 'integrated',
      }),
    ]);
    expect(hire.statusCode).toBe(200);
    const res = await get(centreA, '/v1/teachers/gv-b-1/events');
    expect(res.statusCode).toBe(200);
    const types = res.json<EventsBody>().events.map((e) => e.type);
    expect(types).toEqual(['TeacherRegistered', 'DegreeAwarded', 'TeacherHired']);
    expect(res.body).not.toContain(CENTRE_B);
    const facts = await get(centreA, '/v1/teachers/gv-b-1');
    expect(facts.statusCode).toBe(200);
    const body = facts.json<Json>();
    expect(body.employments).toHaveLength(1);
    expect(body.completions).toEqual([]);
    expect(facts.body).not.toContain(CENTRE_B);
    // The former unit still reads its own span; the Sở's auditor reads everything.
    const former = (await get(centreB, '/v1/teachers/gv-b-1/events')).json<EventsBody>();
    expect(former.events.map((e) => e.type)).toEqual([
      'TeacherRegistered',
      'TeacherHired',
      'DegreeAwarded',
      'TeacherEnrolled',
      'CourseCompleted',
      'TeacherLeft',
    ]);
  });

  it('refuses a teacher the key may not read the same way whether or not it exists', async () => {
    const other = await get(college, '/v1/teachers/gv-b-1/events');
    const none = await get(college, '/v1/teachers/gv-nobody/events');
    expect(other.statusCode).toBe(403);
    expect(none.statusCode).toBe(403);
    expect(other.json<Json>().code).toBe(none.json<Json>().code);
  });

  it("gives the surviving unit's key the teachers of a unit merged into it", async () => {
    const merge = await post(admin, [
      envelope('UnitMerged', { unitId: COLLEGE, intoUnitId: CENTRE_B, effectiveOn: '2024-01-01' }),
    ]);
    expect(merge.statusCode).toBe(200);
    const res = await get(centreB, '/v1/teachers/gv-college-1');
    expect(res.statusCode).toBe(200);
    // And the reports of the unit merged into theirs.
    const list = (await get(centreB, '/v1/reports?year=2025')).json<{
      units: { unitId: string }[];
    }>();
    expect(list.units.map((u) => u.unitId).sort()).toEqual([CENTRE_B, COLLEGE].sort());
    // Past authority (a merged-away unit's own report may still be refused for what it is).
    expect((await get(centreB, `/v1/reports/${COLLEGE}/2025.json`)).statusCode).not.toBe(403);
    expect((await get(centreA, `/v1/reports/${COLLEGE}/2025.json`)).statusCode).toBe(403);
    // The merged-away unit's key records nothing more.
    const refused = await post(college, [
      envelope('TeacherRegistered', { teacherId: 'gv-new', fullName: 'Lê Văn Mới' }),
    ]);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain(`merged into ${CENTRE_B} on 2024-01-01`);
  });
});
