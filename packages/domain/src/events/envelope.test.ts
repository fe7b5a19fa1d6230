import { parseEnvelope } from './envelope.js';
import { isCalendarDate } from './primitives.js';

const hire = {
  id: '0192f0c4-5b7e-7c1a-9d2e-3f4a5b6c7d8e',
  type: 'TeacherHired',
  data: {
    teacherId: 'cdbk-017',
    unitId: 'cdbk',
    employment: 'permanent',
    hiredOn: '2019-09-01',
    levels: ['college'],
    mode: 'integrated',
  },
};

const issuesOf = (input: unknown) => {
  const r = parseEnvelope(input);
  if (r.ok) throw new Error('expected a rejection');
  return r.error.issues;
};

describe('parseEnvelope', () => {
  it('accepts a valid envelope and keeps metadata', () => {
    const r = parseEnvelope({ ...hire, metadata: { source: 'hr.cdbk' } });
    expect(r).toEqual({ ok: true, value: { ...hire, metadata: { source: 'hr.cdbk' } } });
  });

  it.each([
    ['2025-02-30', 'is not a day of the calendar'],
    ['2025-13-01', 'is not a day of the calendar'],
    ['2025-02-28T00:00:00+07:00', 'must be a date written YYYY-MM-DD'],
    ['20250228', 'must be a date written YYYY-MM-DD'],
  ])('rejects the date %s naming the field', (hiredOn, why) => {
    const [issue] = issuesOf({ ...hire, data: { ...hire.data, hiredOn } });
    expect(issue?.path).toBe('data.hiredOn');
    expect(issue?.message).toContain(why);
  });

  it('accepts 29 February only in a leap year', () => {
    expect(parseEnvelope({ ...hire, data: { ...hire.data, hiredOn: '2024-02-29' } }).ok).toBe(true);
    expect(parseEnvelope({ ...hire, data: { ...hire.data, hiredOn: '2025-02-29' } }).ok).toBe(
      false,
    );
  });

  it('rejects unknown fields in data and in the envelope', () => {
    expect(issuesOf({ ...hire, data: { ...hire.data, salary: 1 } })).toEqual([
      { path: 'data.salary', message: 'is not a field of this event type' },
    ]);
    expect(issuesOf({ ...hire, position: 3 })[0]?.path).toBe('position');
  });

  it('rejects an unknown type, a bad id and a bad enum value', () => {
    expect(issuesOf({ ...hire, type: 'TeacherFired' })).toEqual([
      { path: 'type', message: '"TeacherFired" is not an event type of contract v1' },
    ]);
    expect(issuesOf({ ...hire, id: 'not-a-uuid' })[0]?.path).toBe('id');
    expect(issuesOf({ ...hire, data: { ...hire.data, employment: 'contract' } })[0]).toEqual({
      path: 'data.employment',
      message: 'must be one of "permanent", "visiting"',
    });
    expect(issuesOf({ ...hire, data: { ...hire.data, teacherId: '-bad' } })[0]?.path).toBe(
      'data.teacherId',
    );
  });

  it('requires at least one level, without repeats', () => {
    expect(issuesOf({ ...hire, data: { ...hire.data, levels: [] } })[0]?.path).toBe('data.levels');
    expect(
      issuesOf({ ...hire, data: { ...hire.data, levels: ['college', 'college'] } })[0]?.path,
    ).toBe('data.levels');
  });

  it('requires a level for national-skill and foreign-language certificates', () => {
    const cert = {
      id: hire.id,
      type: 'CertificateIssued',
      data: {
        teacherId: 't1',
        certificateId: 'c1',
        kind: 'national-skill',
        issuedOn: '2020-01-01',
      },
    };
    expect(issuesOf(cert)).toEqual([
      { path: 'data.level', message: 'is required for a national-skill certificate (1–5)' },
    ]);
    expect(issuesOf({ ...cert, data: { ...cert.data, level: 6 } })[0]?.path).toBe('data.level');
    expect(
      parseEnvelope({ ...cert, data: { ...cert.data, kind: 'foreign-language', level: 6 } }).ok,
    ).toBe(true);
    expect(parseEnvelope({ ...cert, data: { ...cert.data, kind: 'it-skills' } }).ok).toBe(true);
  });

  it('says what a missing field and a wrong type are', () => {
    const { hiredOn: _omit, ...data } = hire.data;
    expect(issuesOf({ ...hire, data })).toEqual([{ path: 'data.hiredOn', message: 'is required' }]);
    expect(issuesOf({ ...hire, data: { ...hire.data, levels: 'college' } })[0]?.message).toBe(
      'must be a list (got text)',
    );
    expect(issuesOf({ ...hire, data: { ...hire.data, levels: [1] } })[0]).toEqual({
      path: 'data.levels[0]',
      message: 'must be one of "college", "intermediate", "elementary"',
    });
    expect(issuesOf({ ...hire, data: 7 })[0]?.message).toBe('must be an object (got number)');
    expect(issuesOf('hello')[0]?.message).toContain('must be a JSON object');
  });
});

describe('isCalendarDate', () => {
  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['2023-02-29', false],
    ['2025-04-31', false],
    ['2025-12-31', true],
    ['2025-00-10', false],
    ['2025-01-00', false],
    ['2025-1-01', false],
  ])('%s → %s', (s, expected) => {
    expect(isCalendarDate(s)).toBe(expected);
  });
});
