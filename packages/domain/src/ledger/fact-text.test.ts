import type { RecordedEvent } from '../events/recorded.js';
import { type FactEvent, emptyFacts, applyFact } from '../facts/fold.js';
import type { TeacherFacts } from '../facts/types.js';
import { type FactEventType, decodeFact, encodeFact, factId } from './fact-text.js';
import { recorder } from './test-support/events.js';

const fold = (events: readonly FactEvent[]): TeacherFacts => {
  const facts = emptyFacts('t1');
  for (const e of events) applyFact(facts, e);
  return facts;
};

const roundTrip = (events: readonly RecordedEvent[]): FactEvent[] =>
  events.map((e) => decodeFact('t1', encodeFact(e as FactEvent & { type: FactEventType })));

/** One event of every fact type, with and without optional fields, Vietnamese names included. */
const everyFactType = (): RecordedEvent[] => {
  const r = recorder();
  return [
    r('TeacherHired', {
      teacherId: 't1',
      unitId: 'cdbk',
      employment: 'permanent',
      hiredOn: '2019-09-01',
      levels: ['college', 'intermediate'],
      mode: 'integrated',
    }),
    r('TeachingAssignmentChanged', {
      teacherId: 't1',
      levels: ['elementary'],
      mode: 'practice',
      effectiveOn: '2020-09-01',
    }),
    r('TeacherTransferred', { teacherId: 't1', toUnitId: 'tt.cho-don', effectiveOn: '2021-01-01' }),
    r('DegreeAwarded', {
      teacherId: 't1',
      degreeId: 'bsc',
      level: 'bachelor',
      field: 'Công nghệ thông tin',
      institution: 'Đại học Thái Nguyên',
      awardedOn: '2015-06-30',
      pedagogical: true,
    }),
    r('DegreeAwarded', {
      teacherId: 't1',
      degreeId: 'msc',
      level: 'master',
      field: 'Kỹ thuật',
      institution: 'Đại học Bách khoa',
      awardedOn: '2022-06-30',
    }),
    r('DegreeRevoked', {
      teacherId: 't1',
      degreeId: 'msc',
      revokedOn: '2023-01-01',
      reason: 'văn bằng giả',
    }),
    r('CertificateIssued', {
      teacherId: 't1',
      certificateId: 'skill-3',
      kind: 'national-skill',
      level: 3,
      occupation: 'Điện công nghiệp',
      issuedOn: '2018-03-01',
      expiresOn: '2028-03-01',
    }),
    r('CertificateIssued', {
      teacherId: 't1',
      certificateId: 'ped',
      kind: 'pedagogy-vet',
      issuedOn: '2019-03-01',
    }),
    r('CertificateRevoked', {
      teacherId: 't1',
      certificateId: 'ped',
      revokedOn: '2024-02-01',
      reason: 'cấp sai',
    }),
    r('TeacherEnrolled', { teacherId: 't1', programmeId: 'dt-01', enrolledOn: '2024-03-01' }),
    r('CourseCompleted', {
      teacherId: 't1',
      programmeId: 'dt-01',
      completedOn: '2024-05-01',
      hours: 40,
      result: 'merit',
    }),
    r('CourseCompletionRevoked', {
      teacherId: 't1',
      programmeId: 'dt-01',
      revokedOn: '2024-08-01',
      reason: 'không đủ giờ',
    }),
    r('TeacherEnrolled', { teacherId: 't1', programmeId: 'kd-02', enrolledOn: '2024-03-01' }),
    r('EnrolmentWithdrawn', {
      teacherId: 't1',
      programmeId: 'kd-02',
      withdrawnOn: '2024-04-01',
      reason: 'ốm',
    }),
    r('TeacherLeft', { teacherId: 't1', leftOn: '2025-07-01', reason: 'retired' }),
  ];
};

describe('compact fact text', () => {
  it('folds to the same facts as the events it was made from, for every fact type', () => {
    const events = everyFactType();
    const facts = fold(events as FactEvent[]);
    expect(fold(roundTrip(events))).toEqual(facts);
    // Every prefix too: a retraction folds whatever is left.
    for (let n = 1; n < events.length; n++)
      expect(fold(roundTrip(events.slice(0, n)))).toEqual(fold(events.slice(0, n) as FactEvent[]));
  });

  it('keeps only what the fold reads, one byte a character', () => {
    const texts = everyFactType().map((e) => encodeFact(e as FactEvent & { type: FactEventType }));
    for (const text of texts) expect(text).toMatch(/^[\x21-\x7e][ -~]*$/);
    expect(texts.join('\n')).not.toMatch(/Đại học|văn bằng|merit|t1 /);
    expect(texts[10]).toBe('P 00000000-0000-4000-8000-00000000000b dt-01 2024-05-01');
  });

  it('gives back the id of the event, which a retraction looks for', () => {
    for (const e of everyFactType())
      expect(factId(encodeFact(e as FactEvent & { type: FactEventType }))).toBe(e.id);
  });

  it('keeps an event whole when a field holds a space, and still folds it the same', () => {
    const r = recorder();
    // Never from a validated event (ids allow no space); the text must still be exact.
    const odd = r('CertificateIssued', {
      teacherId: 't1',
      certificateId: 'chứng chỉ 1',
      kind: 'it-skills',
      issuedOn: '2020-01-01',
    });
    const text = encodeFact(odd as FactEvent & { type: FactEventType });
    expect(text.startsWith('{')).toBe(true);
    expect(factId(text)).toBe(odd.id);
    expect(fold(roundTrip([odd]))).toEqual(fold([odd as FactEvent]));
  });

  it('rejects text that is not a compact fact event', () => {
    expect(() => decodeFact('t1', 'X 1 2')).toThrow('not a compact fact event');
    expect(() => decodeFact('t1', 'P 1 dt-01')).toThrow('not a compact fact event');
  });
});
