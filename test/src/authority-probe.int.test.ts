import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { openKeyStore } from '@nhagiao/api/keys';
import { runCli } from '@nhagiao/cli';
import { AUTHORITY, EVENT_TYPES, type EventType } from '@nhagiao/domain';

/**
 * A probe of the write side as an outsider would run it: `nhagiao serve` on a
 * small demo province, a key of one unit (cdbk), and every write that could
 * move another unit's figure — each event type about another unit or its
 * teachers (the unit merged into it included), cross-unit retractions,
 * reference data, fabricated and back-dated reports, forged metadata, an id
 * sent again in upper case. After each refusal, every unit's figures (as of
 * three dates) and every unit's report status are read again and must not
 * have moved.
 */
const ROOT = path.resolve(__dirname, '../..');
const OWN = 'cdbk';
const OTHER = 'gdnn-ba-be';
/** Merged into gdnn-ba-be by the demo's reorganisation. */
const MERGED = 'gdnn-pac-nam';

interface Line {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

const run = async (args: string[]): Promise<string> => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await runCli(args, { stdout, stderr, stdin: Readable.from(['']), env: {} });
  if (code !== 0) throw new Error(`nhagiao ${args.join(' ')}: ${code}\n${err}`);
  return out.trim();
};

/** The teachers whose latest employment is at `unitId` and has not ended. */
const teachersAt = (lines: readonly Line[], unitId: string): string[] => {
  const at = new Map<string, string | undefined>();
  for (const e of lines) {
    const t = e.data.teacherId as string | undefined;
    if (t === undefined) continue;
    if (e.type === 'TeacherHired') at.set(t, e.data.unitId as string);
    if (e.type === 'TeacherTransferred') at.set(t, e.data.toUnitId as string);
    if (e.type === 'TeacherLeft') at.set(t, undefined);
  }
  return [...at].filter(([, u]) => u === unitId).map(([t]) => t);
};

describe('authority probe against nhagiao serve', () => {
  let dir: string;
  let serve: ChildProcess;
  let base: string;
  let outsider: string;
  let reader: string;
  const readers: string[] = [];
  let turn = 0;
  let admin: string;
  /** A key of the other unit, and one of the unit merged into it. */
  let ofOther: string;
  let ofMerged: string;
  let lines: Line[];

  const call = async (secret: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(base + url, {
      method,
      headers: {
        authorization: `Bearer ${secret}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const post = (secret: string, body: unknown) => call(secret, 'POST', '/v1/events', body);

  /** Every unit's figures as of three dates and every unit's report status: what no refusal may move. */
  const snapshot = async (): Promise<Record<string, unknown>> => {
    const out: Record<string, unknown> = {};
    const reader = readers[turn++ % readers.length] as string;
    for (const asOf of ['2019-12-31', '2025-06-30', '2026-12-31']) {
      const r = await call(reader, 'GET', `/v1/indicators?asOf=${asOf}&by=unit`);
      expect(r.status).toBe(200);
      for (const f of r.body.figures as { indicator: string; scope: string }[])
        out[`${asOf} ${f.indicator} ${f.scope}`] = f;
    }
    // The log's head: a refusal appends nothing at all.
    out.head = (await call(reader, 'GET', '/v1/status')).body.head;
    const reports = await call(reader, 'GET', '/v1/reports?year=2025');
    for (const u of reports.body.units as { unitId: string }[]) out[`report ${u.unitId}`] = u;
    return out;
  };
  const others = (s: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(s).filter(
        ([k]) => !k.endsWith(`unit:${OWN}`) && k !== `report ${OWN}` && k !== 'head',
      ),
    );

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-probe-'));
    await run(['demo', '--teachers', '240', '--data-dir', dir]);
    const file = path.join(dir, 'demo', readdirSync(path.join(dir, 'demo'))[0] as string);
    lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);
    outsider = await run([
      'keys',
      'create',
      '--role',
      'integrator',
      '--units',
      OWN,
      '--data-dir',
      dir,
    ]);
    reader = await run(['keys', 'create', '--role', 'reporter', '--data-dir', dir]);
    // Snapshots read a lot: they take turns with a few reporter keys, each under the per-key rate limit.
    for (let i = 0; i < 3; i++)
      readers.push(await run(['keys', 'create', '--role', 'reporter', '--data-dir', dir]));
    readers.push(reader);
    admin = await run(['keys', 'create', '--role', 'admin', '--data-dir', dir]);
    const keyOf = (unit: string) =>
      run(['keys', 'create', '--role', 'integrator', '--units', unit, '--data-dir', dir]);
    ofOther = await keyOf(OTHER);
    // `keys create` issues no key for a merged-away unit: this one stands for a
    // key issued before the merge, put straight into the data dir's key store.
    const keyStore = openKeyStore(path.join(dir, 'keys.sqlite'));
    try {
      ofMerged = keyStore.create({ role: 'integrator', units: [MERGED] }).secret;
    } finally {
      keyStore.close();
    }
    serve = spawn(
      process.execPath,
      ['--import', 'tsx', 'services/cli/src/main.ts', 'serve', '--port', '0', '--data-dir', dir],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    base = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${text}`)), 60_000);
      serve.stderr?.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        const m = /nhagiao serve: (http:\/\/\S+)/.exec(text);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      serve.once('exit', (code) => reject(new Error(`serve exited (${String(code)}): ${text}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (serve !== undefined && serve.exitCode === null) {
      const exited = new Promise((r) => serve.once('exit', r));
      serve.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Posts as `secret`; the write must be refused with `status` and move no unit's figure. */
  const refusedFor = async (
    secret: string,
    what: string,
    body: unknown,
    status: number,
    code?: string,
  ) => {
    const before = await snapshot();
    const r = await post(secret, body);
    expect({ what, status: r.status }).toEqual({ what, status });
    if (code !== undefined) expect({ what, code: r.body.code }).toEqual({ what, code });
    expect(await snapshot()).toEqual(before);
    return r.body;
  };
  /** Posts as the outsider; the write must be refused with `status` and move no unit's figure. */
  const refused = (what: string, body: unknown, status: number, code?: string) =>
    refusedFor(outsider, what, body, status, code);

  it('refuses every event type about another unit, its teachers and those of the unit merged into it', async () => {
    const otherTeacher = teachersAt(lines, OTHER)[0] as string;
    const mergedTeacher = teachersAt(lines, MERGED)[0] as string;
    expect(otherTeacher).toBeDefined();
    expect(mergedTeacher).toBeDefined();
    const programme = (lines.find((l) => l.type === 'CourseCompleted')?.data.programmeId ??
      'bd-cds-2021') as string;
    const someEventOf = (t: string) =>
      lines.find((l) => l.data.teacherId === t && l.type !== 'TeacherRegistered') as Line;
    const degreeOf = (t: string) =>
      (lines.find((l) => l.data.teacherId === t && l.type === 'DegreeAwarded')?.data.degreeId ??
        `${t}-dh`) as string;
    const about = (type: EventType, t: string, unit: string): Record<string, unknown> => {
      const data: { readonly [T in EventType]: Record<string, unknown> } = {
        UnitRegistered: {
          unitId: 'gia-mao',
          name: 'Giả mạo',
          kind: 'college',
          area: 'x',
          registeredOn: '2020-01-01',
        },
        UnitRenamed: { unitId: unit, name: 'Đổi tên', effectiveOn: '2025-01-01' },
        UnitAreaChanged: { unitId: unit, area: 'x', effectiveOn: '2025-01-01' },
        UnitMerged: { unitId: OWN, intoUnitId: unit, effectiveOn: '2025-01-01' },
        ProgrammeRegistered: {
          programmeId: 'gia-mao',
          title: 'Giả',
          provider: 'Giả',
          topics: ['digital-transformation'],
        },
        ProgrammeTopicsCorrected: { programmeId: programme, topics: ['management'], reason: 'sửa' },
        TrainingFunded: {
          fundingId: `f-${randomUUID()}`,
          programmeId: programme,
          source: 'state-budget',
          amountVnd: 1e15,
          fundedOn: '2025-01-01',
        },
        TeacherRegistered: { teacherId: t, fullName: 'Đăng ký lại' },
        TeacherHired: {
          teacherId: t,
          unitId: OWN,
          employment: 'permanent',
          hiredOn: '2025-01-01',
          levels: ['college'],
          mode: 'theory',
        },
        TeacherTransferred: { teacherId: t, toUnitId: OWN, effectiveOn: '2025-01-01' },
        TeachingAssignmentChanged: {
          teacherId: t,
          levels: ['college'],
          mode: 'theory',
          effectiveOn: '2025-01-01',
        },
        TeacherLeft: { teacherId: t, leftOn: '2025-01-01', reason: 'resigned' },
        DegreeAwarded: {
          teacherId: t,
          degreeId: `${t}-ts-gia`,
          level: 'doctorate',
          field: 'Giả',
          institution: 'Giả',
          awardedOn: '2018-01-01',
        },
        DegreeRevoked: {
          teacherId: t,
          degreeId: degreeOf(t),
          revokedOn: '2019-01-01',
          reason: 'giả',
        },
        CertificateIssued: {
          teacherId: t,
          certificateId: `${t}-cc-gia`,
          kind: 'pedagogy-vet',
          issuedOn: '2018-01-01',
        },
        CertificateRevoked: {
          teacherId: t,
          certificateId: `${t}-cc`,
          revokedOn: '2019-01-01',
          reason: 'giả',
        },
        TeacherEnrolled: { teacherId: t, programmeId: programme, enrolledOn: '2024-01-01' },
        CourseCompleted: { teacherId: t, programmeId: programme, completedOn: '2024-06-01' },
        EnrolmentWithdrawn: { teacherId: t, programmeId: programme, withdrawnOn: '2024-06-01' },
        CourseCompletionRevoked: {
          teacherId: t,
          programmeId: programme,
          revokedOn: '2024-06-01',
          reason: 'giả',
        },
        PostgraduateStudyStarted: {
          teacherId: t,
          level: 'master',
          institution: 'Giả',
          startedOn: '2024-01-01',
        },
        PostgraduateStudyAbandoned: { teacherId: t, level: 'master', abandonedOn: '2024-06-01' },
        TeachingContestAwarded: { teacherId: t, level: 'national', year: 2024, award: 'first' },
        EventRetracted: { teacherId: t, eventId: someEventOf(t).id, reason: 'giả' },
        AnnualReportSubmitted: { unitId: unit, year: 2025, asOf: '2025-06-30' },
      };
      return { id: randomUUID(), type, data: data[type] };
    };
    let tried = 0;
    for (const type of EVENT_TYPES) {
      for (const [t, unit] of [
        [otherTeacher, OTHER],
        [mergedTeacher, MERGED],
      ] as const) {
        // Registering a teacher names no unit: any key may, and a known id is already taken.
        if (AUTHORITY[type] === 'anyone') {
          await refused(`${type} ${t}`, about(type, t, unit), 422, 'already-exists');
        } else {
          const sent = about(type, t, unit);
          const body = await refused(`${type} about ${unit}`, sent, 403, 'forbidden');
          // A refusal names nothing the key may not see: about a teacher, not where they work
          // nor since when (the ids the key sent aside).
          const data = sent.data as Record<string, unknown>;
          if (!['unitId', 'toUnitId', 'intoUnitId'].some((f) => f in data))
            expect(JSON.stringify(body).split(t).join('')).not.toMatch(
              new RegExp(`${OTHER}|${MERGED}|since \\d{4}|works at`),
            );
        }
        tried += 1;
      }
    }
    expect(tried).toBe(EVENT_TYPES.length * 2);
  }, 300_000);

  it('refuses cross-unit retractions: of a transfer the sending unit recorded, of the Sở\u2019s revocation', async () => {
    const own = teachersAt(lines, OWN);
    const [moved, revokedOf] = [teachersAt(lines, OTHER)[1] as string, own[0] as string];
    // The Sở moves a teacher from gdnn-ba-be to cdbk and revokes a degree of a cdbk teacher.
    const transfer = {
      id: randomUUID(),
      type: 'TeacherTransferred',
      data: { teacherId: moved, toUnitId: OWN, effectiveOn: '2026-01-01' },
    };
    const degree = {
      id: randomUUID(),
      type: 'DegreeAwarded',
      data: {
        teacherId: revokedOf,
        degreeId: `${revokedOf}-probe`,
        level: 'master',
        field: 'Điện',
        institution: 'ĐH Thái Nguyên',
        awardedOn: '2020-06-01',
      },
    };
    const revocation = {
      id: randomUUID(),
      type: 'DegreeRevoked',
      data: {
        teacherId: revokedOf,
        degreeId: `${revokedOf}-probe`,
        revokedOn: '2021-01-01',
        reason: 'không hợp lệ',
      },
    };
    expect((await post(admin, [transfer, degree])).status).toBe(200);
    expect((await post(admin, revocation)).status).toBe(200);
    // Now both teachers are cdbk's, but what the Sở recorded is the Sở's to undo.
    await refused(
      'retract the transfer',
      {
        id: randomUUID(),
        type: 'EventRetracted',
        data: { teacherId: moved, eventId: transfer.id, reason: 'trả lại' },
      },
      403,
      'forbidden',
    );
    await refused(
      'retract the revocation',
      {
        id: randomUUID(),
        type: 'EventRetracted',
        data: { teacherId: revokedOf, eventId: revocation.id, reason: 'không đồng ý' },
      },
      403,
      'forbidden',
    );
  }, 120_000);

  it('refuses fabricated and back-dated reports; a sign-off gets the log\u2019s figures and today', async () => {
    const report = (data: Record<string, unknown>) => ({
      id: randomUUID(),
      type: 'AnnualReportSubmitted',
      data: { unitId: OWN, year: 2025, asOf: '2025-06-30', ...data },
    });
    const figures = (await call(reader, 'GET', `/v1/indicators?asOf=2025-06-30&by=unit`)).body
      .figures as { indicator: string; scope: string; numerator: number; denominator: number }[];
    const mine = figures.filter((f) => f.scope === `unit:${OWN}`);
    const master = mine.find((f) => f.indicator === 'master-or-above');
    expect(master).toBeDefined();
    const fabricated = mine.map((f) => ({
      indicator: f.indicator,
      numerator: f.numerator,
      denominator: f.denominator,
    }));
    (fabricated[0] as { numerator: number }).numerator = Math.min(
      master?.denominator ?? 0,
      (master?.numerator ?? 0) + 2,
    );
    if (fabricated[0]?.numerator === master?.numerator)
      (fabricated[0] as { denominator: number }).denominator += 1;
    const body = await refused(
      'fabricated figures',
      report({ values: fabricated }),
      422,
      'report-mismatch',
    );
    expect(JSON.stringify(body.details)).toContain('data.values[0]');
    await refused('back-dated', report({ submittedOn: '2025-08-20' }), 422, 'report-mismatch');
    // The sign-off is accepted with the server's figures and day, and moves no other unit's figure.
    const before = others(await snapshot());
    const signed = await post(outsider, report({ signedOffBy: 'Hiệu trưởng' }));
    expect(signed.status).toBe(200);
    expect(others(await snapshot())).toEqual(before);
    const listed = (await call(reader, 'GET', '/v1/reports?year=2025')).body.units as {
      unitId: string;
      latest: { submittedOn: string; values: unknown[] };
    }[];
    const own = listed.find((u) => u.unitId === OWN);
    expect(own?.latest.values).toEqual(
      fabricated.map((_, i) => ({
        indicator: mine[i]?.indicator,
        numerator: mine[i]?.numerator,
        denominator: mine[i]?.denominator,
      })),
    );
    expect(own?.latest.submittedOn).not.toBe('2025-08-20');
  }, 120_000);

  it('counts an id sent again in upper case once, and refuses implausible dates and forged metadata', async () => {
    const t = teachersAt(lines, OWN)[1] as string;
    const completion = {
      id: randomUUID(),
      type: 'DegreeAwarded',
      data: {
        teacherId: t,
        degreeId: `${t}-case`,
        level: 'master',
        field: 'Cơ khí',
        institution: 'ĐH Thái Nguyên',
        awardedOn: '2021-06-01',
      },
    };
    const before = others(await snapshot());
    expect((await post(outsider, completion)).status).toBe(200);
    const after = await snapshot();
    expect(others(after)).toEqual(before);
    const again = await post(outsider, { ...completion, id: completion.id.toUpperCase() });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ appended: 0, duplicates: 1 });
    expect(await snapshot()).toEqual(after);
    await refused(
      'leave on 9999-12-31',
      {
        id: randomUUID(),
        type: 'TeacherLeft',
        data: { teacherId: t, leftOn: '9999-12-31', reason: 'resigned' },
      },
      422,
      'implausible',
    );
    await refused(
      'degree in year 0',
      {
        ...completion,
        id: randomUUID(),
        data: { ...completion.data, degreeId: `${t}-y0`, awardedOn: '0000-01-01' },
      },
      422,
      'implausible',
    );
    await refused(
      'forged submittedAs',
      {
        ...completion,
        id: randomUUID(),
        data: { ...completion.data, degreeId: `${t}-forged` },
        metadata: { submittedAs: 'admin' },
      },
      400,
      'invalid-envelope',
    );
  }, 120_000);

  const degreeFor = (teacherId: string, degreeId: string) => ({
    id: randomUUID(),
    type: 'DegreeAwarded',
    data: {
      teacherId,
      degreeId,
      level: 'master',
      field: 'Cơ khí',
      institution: 'ĐH Thái Nguyên',
      awardedOn: '2021-06-01',
    },
  });
  const hireInto = (teacherId: string, unitId: string, hiredOn = '2026-01-15') => ({
    id: randomUUID(),
    type: 'TeacherHired',
    data: {
      teacherId,
      unitId,
      employment: 'permanent',
      hiredOn,
      levels: ['college'],
      mode: 'theory',
    },
  });

  it('refuses facts about, and a hire of, a teacher another unit registered and no unit has hired', async () => {
    // gdnn-ba-be registers a teacher and records a master's degree, before hiring them.
    const theirs = `probe-${randomUUID()}`;
    const registered = await post(ofOther, [
      {
        id: randomUUID(),
        type: 'TeacherRegistered',
        data: { teacherId: theirs, fullName: 'Ma Văn Chờ' },
      },
      degreeFor(theirs, `${theirs}-ths`),
    ]);
    expect(registered.status).toBe(200);
    await refused(
      'a degree of their unhired teacher',
      degreeFor(theirs, `${theirs}-ts`),
      403,
      'forbidden',
    );
    await refused('a hire of their unhired teacher', hireInto(theirs, OWN), 403, 'forbidden');
    // cdbk squats an id with a master's degree: gdnn-ba-be may not hire it and so count the degree.
    const squatted = `probe-${randomUUID()}`;
    const squat = await post(outsider, [
      {
        id: randomUUID(),
        type: 'TeacherRegistered',
        data: { teacherId: squatted, fullName: 'Giả Mạo' },
      },
      degreeFor(squatted, `${squatted}-ths`),
    ]);
    expect(squat.status).toBe(200);
    await refusedFor(
      ofOther,
      'a hire of a squatted id',
      hireInto(squatted, OTHER),
      403,
      'forbidden',
    );
    // Their own registrant hires them; that moves their own unit only.
    const before = await snapshot();
    expect((await post(ofOther, hireInto(theirs, OTHER))).status).toBe(200);
    const after = await snapshot();
    const unchanged = (snap: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(snap).filter(
          ([k]) =>
            !k.endsWith(`unit:${OTHER}`) &&
            !/ (area|province)/.test(k) &&
            k !== 'head' &&
            !k.startsWith('report '),
        ),
      );
    expect(unchanged(after)).toEqual(unchanged(before));
  }, 120_000);

  it("a hire of another unit's former teacher opens only the hiring unit's span, never the former unit's history", async () => {
    const former = teachersAt(lines, OTHER)[2] as string;
    expect(former).toBeDefined();
    expect(
      (
        await post(ofOther, {
          id: randomUUID(),
          type: 'TeacherLeft',
          data: { teacherId: former, leftOn: '2026-01-01', reason: 'resigned' },
        })
      ).status,
    ).toBe(200);
    const before = others(await snapshot());
    expect((await post(outsider, hireInto(former, OWN, '2026-02-01'))).status).toBe(200);
    expect(others(await snapshot())).toEqual(before);
    const read = await call(outsider, 'GET', `/v1/teachers/${former}/events`);
    expect(read.status).toBe(200);
    const events = read.body.events as { type: string; data: Record<string, unknown> }[];
    expect(events.filter((e) => e.type === 'TeacherHired').map((e) => e.data.unitId)).toEqual([
      OWN,
    ]);
    expect(events.some((e) => e.type === 'TeacherLeft')).toBe(false);
    // Nothing names the former unit (the teacher id the key sent aside).
    const named = (body: unknown) => JSON.stringify(body).split(former).join('');
    expect(named(read.body)).not.toContain(OTHER);
    const facts = await call(outsider, 'GET', `/v1/teachers/${former}`);
    expect(named(facts.body)).not.toContain(OTHER);
  }, 120_000);

  it("refuses every write of a merged-away unit's key, naming the surviving unit", async () => {
    const t = teachersAt(lines, OTHER)[3] as string;
    const body = await refusedFor(
      ofMerged,
      "a degree by the merged unit's key",
      degreeFor(t, `${t}-merged`),
      403,
      'forbidden',
    );
    expect(JSON.stringify(body)).toContain(`merged into ${OTHER}`);
    await refusedFor(
      ofMerged,
      "a registration by the merged unit's key",
      {
        id: randomUUID(),
        type: 'TeacherRegistered',
        data: { teacherId: `probe-${randomUUID()}`, fullName: 'Mới' },
      },
      403,
      'forbidden',
    );
  }, 120_000);

  it("refuses a report of a year as of another year's day, and a checkpoint the log never had", async () => {
    const report = (data: Record<string, unknown>) => ({
      id: randomUUID(),
      type: 'AnnualReportSubmitted',
      data: { unitId: OWN, year: 2025, ...data },
    });
    await refused('asOf in another year', report({ asOf: '2021-06-30' }), 422);
    const body = await refused(
      'a checkpoint the log never had',
      report({ asOf: '2025-06-30', checkpoint: 'nhagiao\n1\nAAAA\n\n— giả' }),
      422,
      'report-mismatch',
    );
    expect(JSON.stringify(body.details)).toContain('data.checkpoint');
  }, 120_000);

  it('answers a proof by event id only to a key that may see the event, the same for one it may not see as for none', async () => {
    const otherEvent = lines.find((l) => l.data.teacherId === teachersAt(lines, OTHER)[4]) as Line;
    const proof = (secret: string | undefined, id: string) =>
      fetch(`${base}/v1/log/proof/inclusion?eventId=${id}`, {
        headers: secret === undefined ? {} : { authorization: `Bearer ${secret}` },
      });
    expect((await proof(undefined, otherEvent.id)).status).toBe(401);
    const notYours = await proof(outsider, otherEvent.id);
    const none = await proof(outsider, randomUUID());
    expect(notYours.status).toBe(none.status);
    const text = async (r: Response) =>
      (await r.text()).replace(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
        'ID',
      );
    expect(await text(notYours)).toBe(await text(none));
  }, 120_000);
});
