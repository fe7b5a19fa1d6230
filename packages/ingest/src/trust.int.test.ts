import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { createIngestor } from './ingestor.js';
import { arrayItems } from './lines.js';
import {
  award,
  complete,
  enrol,
  hire,
  id,
  leave,
  programme,
  revoke,
  teacher,
  unit,
} from './test-support/envelopes.js';
import type { Actor, AnnualReportValues, IngestOptions, ItemOutcome } from './types.js';

/** Regression tests for the write side's trust boundary (docs/authority.md). */
describe('the write side trusts no key beyond its authority', () => {
  let dir: string;
  let store: EventStore;
  /** Recorded on 30 August 2025 in Vietnam. */
  const clock = () => new Date('2025-08-30T03:00:00Z');
  const keyOf = (...units: string[]): Actor => ({
    id: `key-${units.join('+')}`,
    role: 'integrator',
    units: new Set(units),
  });
  const admin: Actor = { id: 'key-admin', role: 'admin' };
  const A = keyOf('a');
  const B = keyOf('b');
  const W = keyOf('w');

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-trust-'));
    store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
    // Units a, b, w and m (m merged into w); teachers ta at a, tb at b (since 2011-09-13), tm at m.
    const setup = createIngestor({ store, clock });
    const report = await setup.ingest(
      arrayItems([
        unit('a'),
        unit('b'),
        unit('w'),
        unit('m'),
        {
          id: id(),
          type: 'UnitMerged',
          data: { unitId: 'm', intoUnitId: 'w', effectiveOn: '2024-01-01' },
        },
        teacher('ta'),
        hire('ta', 'a'),
        teacher('tb'),
        hire('tb', 'b', '2011-09-13'),
        teacher('tm'),
        hire('tm', 'm'),
      ]),
      { source: 'setup' },
    );
    expect(report.rejected).toBe(0);
    setup.close();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = async (
    items: unknown[],
    actor?: Actor,
    options: Partial<IngestOptions> = {},
  ): Promise<ItemOutcome[]> => {
    const ingestor = createIngestor({ store, clock });
    try {
      const report = await ingestor.ingest(arrayItems(items), {
        source: 'test',
        ...(actor === undefined ? {} : { actor }),
        ...options,
      });
      return [...report.items];
    } finally {
      ingestor.close();
    }
  };
  const one = async (item: unknown, actor?: Actor, options: Partial<IngestOptions> = {}) =>
    (await submit([item], actor, options))[0];

  it("decides a merged-away unit's teachers from the log, whatever is cached", async () => {
    // A fresh ingestor has read no unit stream: the merge must be read before deciding.
    expect(await one(award('tm', 'tm-ths'), W)).toMatchObject({ status: 'accepted' });
    // The same ingestor warmed by other work gives the same verdict.
    const warm = createIngestor({ store, clock });
    await warm.ingest(arrayItems([unit('x')]), { source: 'warm' });
    const report = await warm.ingest(arrayItems([award('tm', 'tm-ts')]), {
      source: 'test',
      actor: W,
    });
    warm.close();
    expect(report.items[0]).toMatchObject({ status: 'accepted' });
  });

  it("names nothing of another unit's teachers in a refusal", async () => {
    const outcomes = [
      await one(award('tb', 'tb-ths'), A),
      await one(hire('tb', 'a', '2025-08-01'), A),
      await one(leave('tb', '2025-08-01'), A),
    ];
    for (const o of outcomes) {
      expect(o).toMatchObject({ status: 'rejected', code: 'forbidden' });
      const text = JSON.stringify(o);
      expect(text).not.toMatch(/"b"|\bb\b,|at b\b|2011-09-13/);
    }
  });

  it('decides authority before looking at the id, so a key learns nothing of ids in other units', async () => {
    // Sheet ids are derived from natural keys: another unit's event id can be guessed.
    const theirs = award('tb', 'tb-ths');
    expect(await one(theirs, B)).toMatchObject({ status: 'accepted' });
    const fresh = { ...theirs, id: id() };
    const changed = { ...theirs, data: { ...theirs.data, field: 'Điện' } };
    // The same id with the same content, with other content, and a new id: one answer.
    for (const probe of [theirs, changed, fresh]) {
      const got = await one(probe, A);
      expect(got).toMatchObject({ status: 'rejected', code: 'forbidden' });
      expect(JSON.stringify(got)).not.toMatch(/teacher-tb|position|already/);
    }
    // The key allowed to write it still gets its duplicate.
    expect(await one(theirs, B)).toMatchObject({ status: 'duplicate' });
  });

  it('lets a key retract only what its own authority recorded', async () => {
    // The Sở revokes a degree of a's teacher; a's key may not undo it.
    const awarded = award('ta', 'ta-ths');
    const revoked = revoke('ta', 'ta-ths');
    expect(await one(awarded, A)).toMatchObject({ status: 'accepted' });
    expect(await one(revoked, admin)).toMatchObject({ status: 'accepted' });
    const undoRevocation = {
      id: id(),
      type: 'EventRetracted',
      data: { teacherId: 'ta', eventId: revoked.id, reason: 'không đồng ý' },
    };
    const refused = await one(undoRevocation, A);
    expect(refused).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect(refused?.status === 'rejected' && refused.issues[0]?.path).toBe('data.eventId');
    // What a's key recorded itself, it may retract.
    expect(
      await one(
        {
          id: id(),
          type: 'EventRetracted',
          data: { teacherId: 'ta', eventId: awarded.id, reason: 'nhập nhầm' },
        },
        admin,
      ),
    ).toMatchObject({ status: 'rejected', code: 'retraction-invalid' });
  });

  it("reads the merges of a retracted event's recorder from the log, whatever is cached", async () => {
    // q, merged into w, never appears in tm's stream: only the recorder's authority names it.
    await submit([
      unit('q'),
      {
        id: id(),
        type: 'UnitMerged',
        data: { unitId: 'q', intoUnitId: 'w', effectiveOn: '2024-01-01' },
      },
    ]);
    const recorded = {
      ...award('tm', 'tm-q'),
      metadata: { submittedBy: 'key-m+q', submittedAs: 'integrator:m,q' },
    };
    expect(await one(recorded)).toMatchObject({ status: 'accepted' });
    const retract = {
      id: id(),
      type: 'EventRetracted',
      data: { teacherId: 'tm', eventId: recorded.id, reason: 'nhập nhầm' },
    };
    // A fresh ingestor has not read unit q; w's key writes for m and q all the same.
    expect(await one(retract, W)).toMatchObject({ status: 'accepted' });
  });

  it('refuses the receiving unit a retraction of the transfer the sending unit recorded', async () => {
    const transfer = {
      id: id(),
      type: 'TeacherTransferred',
      data: { teacherId: 'ta', toUnitId: 'b', effectiveOn: '2025-01-01' },
    };
    // A transfer needs both sides: a's key alone may not send a teacher to b.
    expect(await one(transfer, A)).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect(await one(transfer, keyOf('a', 'b'))).toMatchObject({ status: 'accepted' });
    const retract = {
      id: id(),
      type: 'EventRetracted',
      data: { teacherId: 'ta', eventId: transfer.id, reason: 'trả về' },
    };
    expect(await one(retract, B)).toMatchObject({ status: 'rejected', code: 'forbidden' });
    expect(await one(retract, keyOf('a', 'b'))).toMatchObject({ status: 'accepted' });
  });

  it('records the key and its authority; a key may not write them itself', async () => {
    const forged = { ...award('ta', 'ta-cn'), metadata: { submittedAs: 'admin' } };
    const refused = await one(forged, A);
    expect(refused).toMatchObject({ status: 'rejected', code: 'invalid-envelope' });
    expect(refused?.status === 'rejected' && refused.issues[0]?.path).toBe('metadata.submittedAs');
    const sent = award('ta', 'ta-cn');
    await one(sent, A);
    const stored = await store.findEvent('teacher-ta', sent.id);
    expect(stored?.metadata).toEqual({ submittedBy: 'key-a', submittedAs: 'integrator:a' });
  });

  it('keeps importedBy for the operator: a key may not write it', async () => {
    const forged = { ...award('ta', 'ta-cn'), metadata: { importedBy: 'nhagiao import x' } };
    const refused = await one(forged, A);
    expect(refused).toMatchObject({ status: 'rejected', code: 'invalid-envelope' });
    expect(refused?.status === 'rejected' && refused.issues[0]?.path).toBe('metadata.importedBy');
    const imported = award('ta', 'ta-cn');
    expect(
      await one(imported, undefined, { metadata: { importedBy: 'nhagiao import y' } }),
    ).toMatchObject({ status: 'accepted' });
  });

  it('refuses a new employer the cancellation of a fact another unit recorded', async () => {
    // b recorded gv-b-9: hired 2015, a master's degree, left on 2025-01-10.
    const degree = award('gv-b-9', 'd9');
    expect(
      (
        await submit(
          [teacher('gv-b-9'), hire('gv-b-9', 'b', '2015-09-01'), degree, award('gv-b-9', 'd10')],
          B,
        )
      ).map((o) => o.status),
    ).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const enrolled = [programme('p9'), enrol('gv-b-9', 'p9'), complete('gv-b-9', 'p9')];
    expect((await submit(enrolled.slice(0, 1), admin))[0]).toMatchObject({ status: 'accepted' });
    expect((await submit(enrolled.slice(1), B)).map((o) => o.status)).toEqual([
      'accepted',
      'accepted',
    ]);
    expect(await one(leave('gv-b-9', '2025-01-10'), B)).toMatchObject({ status: 'accepted' });
    // a's key hires the teacher after b's leave: allowed; cancelling b's facts is not.
    expect(await one(hire('gv-b-9', 'a', '2025-02-01'), A)).toMatchObject({ status: 'accepted' });
    const revocation = {
      ...revoke('gv-b-9', 'd9'),
      data: { teacherId: 'gv-b-9', degreeId: 'd9', revokedOn: '2016-01-02', reason: 'giả' },
    };
    const cancellations = [
      revocation,
      {
        id: id(),
        type: 'CourseCompletionRevoked',
        data: { teacherId: 'gv-b-9', programmeId: 'p9', revokedOn: '2024-05-01', reason: 'giả' },
      },
      {
        id: id(),
        type: 'EnrolmentWithdrawn',
        data: { teacherId: 'gv-b-9', programmeId: 'p9', withdrawnOn: '2024-03-02' },
      },
    ];
    for (const c of cancellations) {
      const refused = await one(c, A);
      expect(refused).toMatchObject({ status: 'rejected', code: 'forbidden' });
      expect(JSON.stringify(refused)).not.toMatch(/"b"|\bb\b,|integrator:b/);
    }
    const types: string[] = [];
    for await (const e of store.readStream('teacher-gv-b-9')) types.push(e.type);
    expect(types).not.toContain('DegreeRevoked');
    expect(types).not.toContain('CourseCompletionRevoked');
    expect(types).not.toContain('EnrolmentWithdrawn');
    // b's own key may still revoke b's degree; so may the Sở.
    expect(await one(revocation, B)).toMatchObject({ status: 'accepted' });
    expect(await one(revoke('gv-b-9', 'd10'), admin)).toMatchObject({ status: 'accepted' });
    expect(await one(cancellations[1], admin)).toMatchObject({ status: 'accepted' });
  });

  it('treats an id in upper case as the same event, never a second one', async () => {
    const sent = { ...award('ta', 'ta-ths'), id: '5a1b2c3d-0000-4000-8000-00000000abcd' };
    expect(await one({ ...sent, id: sent.id.toUpperCase() }, A)).toMatchObject({
      status: 'accepted',
      id: sent.id,
    });
    expect(await one(sent, A)).toMatchObject({ status: 'duplicate' });
    expect(await one({ ...sent, id: sent.id.toUpperCase() }, A)).toMatchObject({
      status: 'duplicate',
    });
    const events = [];
    for await (const e of store.readStream('teacher-ta')) events.push(e);
    expect(events.filter((e) => e.type === 'DegreeAwarded')).toHaveLength(1);
  });

  it('refuses dates outside the window, so a leave on 9999-12-31 cannot lock a teacher', async () => {
    const locking = await one(leave('ta', '9999-12-31'), A);
    expect(locking).toMatchObject({ status: 'rejected', code: 'implausible' });
    expect(locking?.status === 'rejected' && locking.issues[0]).toMatchObject({
      path: 'data.leftOn',
      message: expect.stringMatching(/more than 366 days after today \(2025-08-30\)/),
    });
    const ancient = await one(
      { ...award('ta', 'ta-old'), data: { ...award('ta', 'x').data, awardedOn: '0000-01-01' } },
      A,
    );
    expect(ancient).toMatchObject({ status: 'rejected', code: 'implausible' });
    // The teacher can still leave and be hired again.
    expect(await one(leave('ta', '2025-09-30'), A)).toMatchObject({ status: 'accepted' });
    expect(await one(hire('ta', 'a', '2026-01-05'), A)).toMatchObject({ status: 'accepted' });
    // A study's expected end lies ahead, within reason.
    expect(
      await one(
        {
          id: id(),
          type: 'PostgraduateStudyStarted',
          data: {
            teacherId: 'ta',
            level: 'master',
            institution: 'ĐH Thái Nguyên',
            startedOn: '2025-08-01',
            expectedOn: '2028-06-30',
          },
        },
        A,
      ),
    ).toMatchObject({ status: 'accepted' });
  });

  it('refuses an expiry before the issue and metadata beyond its bounds', async () => {
    const cert = {
      id: id(),
      type: 'CertificateIssued',
      data: {
        teacherId: 'ta',
        certificateId: 'ta-cc',
        kind: 'pedagogy-vet',
        issuedOn: '2024-05-01',
        expiresOn: '2024-04-30',
      },
    };
    const refused = await one(cert, A);
    expect(refused).toMatchObject({ status: 'rejected', code: 'implausible' });
    expect(refused?.status === 'rejected' && refused.issues[0]?.path).toBe('data.expiresOn');
    const metadata = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']));
    expect(await one({ ...award('ta', 'ta-m'), metadata }, A)).toMatchObject({
      status: 'rejected',
      code: 'implausible',
    });
  });

  it('takes text in NFC, so the same name typed two ways is the same event', async () => {
    const nfd = {
      id: id(),
      type: 'TeacherRegistered',
      data: { teacherId: 'tn', fullName: 'Nguyễn Thị Ánh'.normalize('NFD') },
    };
    expect(await one(nfd, A)).toMatchObject({ status: 'accepted' });
    const nfc = { ...nfd, data: { ...nfd.data, fullName: nfd.data.fullName.normalize('NFC') } };
    expect(await one(nfc, A)).toMatchObject({ status: 'duplicate' });
    const stored = await store.findEvent('teacher-tn', nfd.id);
    expect((stored?.data as { fullName: string }).fullName).toBe('Nguyễn Thị Ánh'.normalize('NFC'));
  });

  describe('annual reports', () => {
    /** The log's figures for unit a: what the write side puts in the report. */
    const computed = [
      { indicator: 'master-or-above', numerator: 1, denominator: 5 },
      { indicator: 'college-lecturers-qualified', numerator: 4, denominator: 5 },
    ];
    const annualReports: AnnualReportValues = { values: () => Promise.resolve(computed) };
    const report = (data: Record<string, unknown>) => ({
      id: id(),
      type: 'AnnualReportSubmitted',
      data: { unitId: 'a', year: 2025, asOf: '2025-06-30', ...data },
    });

    it('fills the figures and the day in from the server; the unit only signs off', async () => {
      const sent = report({ signedOffBy: 'Hiệu trưởng Lý Văn Hùng', note: 'đã rà soát' });
      expect(await one(sent, A, { annualReports })).toMatchObject({ status: 'accepted' });
      const stored = await store.findEvent('report-a-2025', sent.id);
      expect(stored?.data).toMatchObject({
        values: computed,
        submittedOn: '2025-08-30',
        signedOffBy: 'Hiệu trưởng Lý Văn Hùng',
      });
    });

    it('refuses fabricated figures, naming the first that differs', async () => {
      const fabricated = report({
        values: [
          { indicator: 'master-or-above', numerator: 3, denominator: 5 },
          { indicator: 'college-lecturers-qualified', numerator: 4, denominator: 5 },
        ],
      });
      const refused = await one(fabricated, A, { annualReports });
      expect(refused).toMatchObject({ status: 'rejected', code: 'report-mismatch' });
      expect(refused?.status === 'rejected' && refused.issues[0]).toMatchObject({
        path: 'data.values[0].numerator',
        message: expect.stringContaining("3 differs from the log's 1 for master-or-above"),
      });
      const unknown = await one(
        report({ values: [...computed, { indicator: 'made-up', numerator: 1, denominator: 1 }] }),
        A,
        { annualReports },
      );
      expect(unknown?.status === 'rejected' && unknown.issues[0]?.path).toBe(
        'data.values[2].indicator',
      );
      // The same figures as the log's are accepted.
      expect(await one(report({ values: computed }), A, { annualReports })).toMatchObject({
        status: 'accepted',
      });
    });

    it('refuses a back-dated submission day from a unit', async () => {
      const refused = await one(report({ submittedOn: '2025-08-20' }), A, { annualReports });
      expect(refused).toMatchObject({ status: 'rejected', code: 'report-mismatch' });
      expect(refused?.status === 'rejected' && refused.issues[0]?.path).toBe('data.submittedOn');
      // The Sở may enter a paper report with the day it was handed in.
      expect(
        await one(report({ submittedOn: '2025-08-20' }), admin, { annualReports }),
      ).toMatchObject({ status: 'accepted' });
    });

    it("refuses another unit's report without computing or showing its figures", async () => {
      let asked = 0;
      const counting: AnnualReportValues = {
        values: () => {
          asked += 1;
          return Promise.resolve(computed);
        },
      };
      const refused = await one(report({ unitId: 'b', values: [] }), A, {
        annualReports: counting,
      });
      expect(refused).toMatchObject({ status: 'rejected', code: 'forbidden' });
      expect(asked).toBe(0);
    });

    it('refuses a key a report where figures cannot be computed, or behind other events', async () => {
      expect(await one(report({}), A)).toMatchObject({
        status: 'rejected',
        code: 'report-mismatch',
      });
      const [, second] = await submit([award('ta', 'ta-x'), report({})], A, { annualReports });
      expect(second).toMatchObject({ status: 'rejected', code: 'report-mismatch' });
    });
  });
});
