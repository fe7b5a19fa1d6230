import type { TeachingLevel, TeachingMode } from '../events/vocabulary.js';
import { emptyFacts } from '../facts/fold.js';
import type { TeacherFacts } from '../facts/types.js';
import { meetsStandard } from './meets.js';
import { QUALIFICATION_STANDARDS, qualificationStandard } from './table.js';

type Held =
  | 'elementary'
  | 'intermediate'
  | 'college'
  | 'bachelor'
  | 'ped-intermediate'
  | 'ped-college'
  | 'vet'
  | 'elem-ped'
  | 'ns1'
  | 'ns2'
  | 'ns3'
  | 'licence'
  | 'honorary';

const D = '2025-12-31';

const teacher = (levels: TeachingLevel[], mode: TeachingMode, held: Held[]): TeacherFacts => {
  const f = emptyFacts('t1');
  f.employments.push({
    eventId: 'hire',
    unitId: 'cdbk',
    employment: 'permanent',
    hiredOn: '2020-01-01',
    levels,
    mode,
    transfers: [],
    assignments: [],
  });
  held.forEach((h, i) => {
    const base = { eventId: `e${i}`, awardedOn: '2019-01-01' };
    const cert = { certificateId: `c${i}`, eventId: `e${i}`, issuedOn: '2019-01-01' };
    switch (h) {
      case 'elementary':
      case 'intermediate':
      case 'college':
      case 'bachelor':
        f.degrees.push({ ...base, degreeId: `d${i}`, level: h, pedagogical: false });
        break;
      case 'ped-intermediate':
        f.degrees.push({ ...base, degreeId: `d${i}`, level: 'intermediate', pedagogical: true });
        break;
      case 'ped-college':
        f.degrees.push({ ...base, degreeId: `d${i}`, level: 'college', pedagogical: true });
        break;
      case 'vet':
        f.certificates.push({ ...cert, kind: 'pedagogy-vet' });
        break;
      case 'elem-ped':
        f.certificates.push({ ...cert, kind: 'pedagogy-elementary' });
        break;
      case 'ns1':
      case 'ns2':
      case 'ns3':
        f.certificates.push({ ...cert, kind: 'national-skill', level: Number(h.slice(2)) });
        break;
      case 'licence':
        f.certificates.push({ ...cert, kind: 'practice-licence' });
        break;
      case 'honorary':
        f.certificates.push({ ...cert, kind: 'honorary-title' });
        break;
    }
  });
  return f;
};

describe('qualification standard 05/2024, cell by cell', () => {
  it.each<[TeachingLevel, TeachingMode, Held[], string[]]>([
    // college level
    ['college', 'theory', ['bachelor', 'vet'], []],
    ['college', 'theory', ['college', 'vet'], ['theory']],
    ['college', 'theory', ['bachelor'], ['pedagogy']],
    ['college', 'theory', ['bachelor', 'elem-ped'], ['pedagogy']],
    ['college', 'theory', ['bachelor', 'ped-college'], []],
    ['college', 'theory', ['bachelor', 'ped-intermediate'], ['pedagogy']],
    ['college', 'practice', ['ns3', 'vet'], []],
    ['college', 'practice', ['ns2', 'vet'], ['practice']],
    ['college', 'practice', ['licence', 'vet'], []],
    ['college', 'practice', ['honorary', 'vet'], []],
    ['college', 'practice', ['college', 'vet'], []],
    ['college', 'practice', ['intermediate', 'vet'], ['practice']],
    ['college', 'integrated', ['bachelor', 'vet'], []],
    ['college', 'integrated', ['college', 'ns3', 'vet'], ['theory']],
    ['college', 'integrated', ['intermediate', 'ns2'], ['theory', 'practice', 'pedagogy']],
    // intermediate level
    ['intermediate', 'theory', ['bachelor', 'vet'], []],
    ['intermediate', 'theory', ['college', 'vet'], ['theory']],
    ['intermediate', 'theory', ['bachelor', 'elem-ped'], ['pedagogy']],
    ['intermediate', 'practice', ['ns2', 'vet'], []],
    ['intermediate', 'practice', ['ns1', 'vet'], ['practice']],
    ['intermediate', 'practice', ['licence', 'vet'], []],
    ['intermediate', 'practice', ['honorary', 'vet'], []],
    ['intermediate', 'practice', ['college', 'vet'], []],
    ['intermediate', 'practice', ['intermediate', 'ped-college'], []],
    ['intermediate', 'integrated', ['bachelor', 'ped-college'], []],
    ['intermediate', 'integrated', ['ns3', 'vet'], ['theory']],
    // elementary level
    ['elementary', 'theory', ['intermediate', 'elem-ped'], []],
    ['elementary', 'theory', ['elementary', 'elem-ped'], ['theory']],
    ['elementary', 'theory', ['intermediate', 'vet'], []],
    ['elementary', 'theory', ['intermediate', 'ped-intermediate'], ['pedagogy']],
    ['elementary', 'practice', ['ns1', 'elem-ped'], []],
    ['elementary', 'practice', ['licence', 'elem-ped'], ['practice']],
    ['elementary', 'practice', ['honorary', 'elem-ped'], ['practice']],
    ['elementary', 'practice', ['intermediate', 'elem-ped'], []],
    ['elementary', 'practice', ['elementary', 'elem-ped'], ['practice']],
    ['elementary', 'integrated', ['intermediate', 'elem-ped'], []],
    ['elementary', 'integrated', ['ns1', 'elem-ped'], ['theory']],
    ['elementary', 'integrated', ['elementary'], ['theory', 'practice', 'pedagogy']],
  ])('%s level, %s mode, holding %j fails %j', (level, mode, held, failing) => {
    const verdict = meetsStandard(teacher([level], mode, held), D, '05/2024');
    expect(verdict.failures.map((f) => f.requirement)).toEqual(failing);
    expect(verdict.failures.every((f) => f.level === level)).toBe(true);
    expect(verdict.meets).toBe(failing.length === 0);
  });

  it('judges every level taught (reading 5)', () => {
    const verdict = meetsStandard(
      teacher(['college', 'elementary'], 'theory', ['intermediate', 'elem-ped']),
      D,
      '05/2024',
    );
    expect(verdict.failures.map((f) => [f.level, f.requirement])).toEqual([
      ['college', 'theory'],
      ['college', 'pedagogy'],
    ]);
  });

  it('says what is needed in Vietnamese and English', () => {
    const [failure] = meetsStandard(teacher(['college'], 'theory', ['vet']), D, '05/2024').failures;
    expect(failure?.needed).toBe('bằng cử nhân trở lên / a bachelor degree or higher');
  });

  it('reports a teacher not employed on the date as not meeting it, with no failures', () => {
    expect(
      meetsStandard(teacher(['college'], 'theory', ['bachelor', 'vet']), '2019-06-01', '05/2024'),
    ).toEqual({ meets: false, failures: [] });
  });

  it('keeps versions as frozen data with their legal sources', () => {
    const v = qualificationStandard('05/2024');
    expect(v.sources.join(' ')).toContain('Điều 54');
    expect(v.sources.join(' ')).toContain('05/2024/TT-BLĐTBXH');
    expect(v.rules).toHaveLength(9);
    expect(Object.isFrozen(QUALIFICATION_STANDARDS)).toBe(true);
    expect(Object.isFrozen(v.rules[0]?.anyOf)).toBe(true);
    expect(() => qualificationStandard('01/2099')).toThrow('known: 05/2024');
  });
});
