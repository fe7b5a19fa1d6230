import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { cliSandbox, ev } from './test-support/run.js';

const unit = ev('UnitRegistered', {
  unitId: 'ttnr',
  name: 'Trung tâm GDNN-GDTX Na Rì',
  kind: 'vet-centre',
  area: 'na-ri',
  registeredOn: '2020-01-01',
});
const hire = (teacherId: string) =>
  ev('TeacherHired', {
    teacherId,
    unitId: 'ttnr',
    employment: 'permanent',
    hiredOn: '2024-09-01',
    levels: ['elementary'],
    mode: 'practice',
  });

describe('refusals say how to fix', () => {
  let sandbox: ReturnType<typeof cliSandbox>;
  beforeEach(() => {
    sandbox = cliSandbox();
  });
  afterEach(() => sandbox.cleanup());

  it('names the line of the same file that registers a teacher too late, and counts every line', async () => {
    const file = sandbox.file([
      unit,
      hire('gv-nr-006'),
      ev('TeacherRegistered', { teacherId: 'gv-nr-006', fullName: 'Hà Thị Dung' }),
    ]);
    const r = await sandbox.run(['import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}:2 data.teacherId: teacher gv-nr-006 is not registered: send TeacherRegistered for gv-nr-006 first — it is registered later, at line 3 of this file: order the file by date, registrations first`,
    );
    expect(r.stderr).toMatch(
      /REJECTED — nothing appended from this file \(1 of 3 lines rejected, kept in .*\); 3 lines in /,
    );
  });

  it('names the missing step of a completion without enrolment', async () => {
    const file = sandbox.file([
      unit,
      ev('ProgrammeRegistered', {
        programmeId: 'bd-cds-2024',
        title: 'Chuyển đổi số',
        provider: 'Sở GDĐT',
        topics: ['digital-transformation'],
      }),
      ev('TeacherRegistered', { teacherId: 'gv-1', fullName: 'Lò Văn Sáng' }),
      ev('CourseCompleted', {
        teacherId: 'gv-1',
        programmeId: 'bd-cds-2024',
        completedOn: '2024-11-30',
      }),
    ]);
    const r = await sandbox.run(['import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'teacher gv-1 has no enrolment in bd-cds-2024 that is not withdrawn: send TeacherEnrolled for bd-cds-2024 first',
    );
  });

  it('says a CSV export is CSV, not NDJSON', async () => {
    const file = path.join(sandbox.dir, 'export.ndjson');
    writeFileSync(file, '\uFEFFid,type,teacherId,fullName\r\n1,TeacherRegistered,gv-1,An\r\n');
    const r = await sandbox.run(['import', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'this looks like CSV, not NDJSON: name it FILE.csv and use `import FILE.csv`',
    );
    expect(r.stderr).not.toMatch(/not valid JSON/);
  });

  it('stores text in NFC: a name sent again in NFD is the same event, not a conflict', async () => {
    const name = 'Nguyễn Thị Hồng';
    const registered = ev('TeacherRegistered', {
      teacherId: 'gv-nfc',
      fullName: name.normalize('NFD'),
    });
    expect((await sandbox.run(['import', sandbox.file([registered])])).code).toBe(0);
    const again = { ...registered, data: { ...registered.data, fullName: name.normalize('NFC') } };
    const r = await sandbox.run(['import', sandbox.file([again, registered])]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('0 appended, 2 duplicates, 0 rejected');
    const store = openSqliteEventStore(path.join(sandbox.dir, 'events.sqlite'), { readOnly: true });
    try {
      const stored = [];
      for await (const e of store.readAll()) stored.push(e);
      expect(stored.map((e) => (e.data as { fullName: string }).fullName)).toEqual([
        name.normalize('NFC'),
      ]);
    } finally {
      await store.close();
    }
  });
});
