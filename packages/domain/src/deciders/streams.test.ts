import { decide, initialState } from './decide.js';
import { event, given } from './spec.js';

const unit = (unitId: string) =>
  event('UnitRegistered', {
    unitId,
    name: `Đơn vị ${unitId}`,
    kind: 'vet-centre',
    area: 'ba-be',
    registeredOn: '2024-01-01',
  });
const merge = (unitId: string, intoUnitId: string, effectiveOn = '2025-07-01') =>
  event('UnitMerged', { unitId, intoUnitId, effectiveOn });
const programme = event('ProgrammeRegistered', {
  programmeId: 'kd-2025',
  title: 'Kiểm định chất lượng GDNN',
  provider: 'Sở LĐTBXH',
  topics: ['quality-accreditation'],
});

describe('unit stream', () => {
  it('refuses registering a unitId twice and changing an unknown unit', () => {
    given(unit('a'))
      .when(unit('a'))
      .thenThrows('already-exists', 'data.unitId: unit a is already registered');
    given()
      .when(event('UnitRenamed', { unitId: 'a', name: 'A', effectiveOn: '2025-01-01' }))
      .thenThrows('unknown-unit', 'data.unitId: unit a is not registered');
    given()
      .when(event('UnitAreaChanged', { unitId: 'a', area: 'x', effectiveOn: '2025-01-01' }))
      .thenThrows('unknown-unit');
    given(unit('a'))
      .when(event('UnitAreaChanged', { unitId: 'a', area: 'x', effectiveOn: '2025-01-01' }))
      .then();
  });

  it('merges into another registered unit', () => {
    given(unit('a'), unit('b')).when(merge('a', 'b')).then();
  });

  it('refuses a merge into an unknown unit, into itself, or of a unit already merged', () => {
    given(unit('a'))
      .when(merge('a', 'nowhere'))
      .thenThrows('unknown-unit', 'data.intoUnitId: unit nowhere is not registered');
    given(unit('a'))
      .when(merge('a', 'a'))
      .thenThrows('invalid-state', 'data.intoUnitId: a unit cannot be merged into itself');
    given(unit('a'), unit('b'), unit('c'), merge('a', 'b'))
      .when(merge('a', 'c'))
      .thenThrows('invalid-state', 'already merged into b');
    given(unit('a')).when(merge('nowhere', 'a')).thenThrows('unknown-unit', 'data.unitId');
  });

  it('refuses a merge that would close a cycle, whatever the dates', () => {
    given(unit('a'), unit('b'), merge('a', 'b'))
      .when(merge('b', 'a', '2020-01-01'))
      .thenThrows('invalid-state', 'cycle of merges: b → a → b');
    given(unit('a'), unit('b'), unit('c'), merge('a', 'b'), merge('b', 'c'))
      .when(merge('c', 'a'))
      .thenThrows('invalid-state', 'c → a → b → c');
    given(unit('a'), unit('b'), unit('c'), merge('a', 'b')).when(merge('b', 'c')).then();
  });
});

describe('programme stream', () => {
  const corrected = event('ProgrammeTopicsCorrected', {
    programmeId: 'kd-2025',
    topics: ['quality-accreditation', 'management'],
    reason: 'entered with the wrong topics',
  });

  it('refuses registering a programmeId twice', () => {
    given(programme).when(programme).thenThrows('already-exists', 'data.programmeId');
  });

  it('corrects topics of a registered programme only', () => {
    given()
      .when(corrected)
      .thenThrows('unknown-programme', 'data.programmeId: programme kd-2025 is not registered');
    given(programme).when(corrected).then();
  });
});

describe('funding stream', () => {
  const funded = event('TrainingFunded', {
    fundingId: 'ns-2025-01',
    programmeId: 'kd-2025',
    source: 'state-budget',
    amountVnd: 150_000_000,
    fundedOn: '2025-04-01',
  });

  it('funds a registered programme once per fundingId', () => {
    given().when(funded).thenThrows('unknown-programme', 'data.programmeId');
    given(programme).when(funded).then();
    given(programme, funded)
      .when(funded)
      .thenThrows('already-exists', 'data.fundingId: funding ns-2025-01 is already recorded');
  });
});

describe('report stream', () => {
  const report = (numerator: number) =>
    event('AnnualReportSubmitted', {
      unitId: 'a',
      year: 2025,
      asOf: '2025-08-01',
      submittedOn: '2025-08-20',
      values: [{ indicator: 'master-or-above', numerator, denominator: 40 }],
    });

  it('refuses a report for an unknown unit and a numerator above its denominator', () => {
    given().when(report(10)).thenThrows('unknown-unit', 'data.unitId: unit a is not registered');
    given(unit('a'))
      .when(report(41))
      .thenThrows('invalid-state', 'data.values[0].numerator: must not exceed the denominator');
  });

  it('accepts a resubmission, which corrects the earlier report', () => {
    given(unit('a'), report(10)).when(report(12)).then();
  });
});

describe('decide', () => {
  it('refuses to decide with the state of another stream kind (a caller bug, not a rejection)', () => {
    const lookup = {
      unit: () => undefined,
      programmeExists: () => false,
      teacherHistory: () => [],
    };
    expect(() => decide(initialState('unit'), programme, lookup)).toThrow(
      'ProgrammeRegistered needs the state of a programme stream',
    );
  });
});
