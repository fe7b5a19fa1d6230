import { parseEnvelope, streamOf } from '@nhagiao/domain';
import { generateDataset } from './generate.js';

describe('generateDataset', () => {
  const events = [...generateDataset({ teachers: 200 })];

  it('produces only envelopes that contract v1 accepts', () => {
    const rejected = events
      .map((e) => parseEnvelope(JSON.parse(JSON.stringify(e))))
      .filter((r) => !r.ok);
    expect(rejected).toEqual([]);
  });

  it('is deterministic for a seed and differs for another seed', () => {
    expect(JSON.stringify([...generateDataset({ teachers: 200 })])).toBe(JSON.stringify(events));
    expect(JSON.stringify([...generateDataset({ teachers: 200, seed: 7 })])).not.toBe(
      JSON.stringify(events),
    );
  });

  it('uses unique event ids', () => {
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('keeps employment events of each teacher in date order', () => {
    const last = new Map<string, string>();
    for (const e of events) {
      const on =
        e.type === 'TeacherHired'
          ? e.data.hiredOn
          : e.type === 'TeacherTransferred' || e.type === 'TeachingAssignmentChanged'
            ? e.data.effectiveOn
            : e.type === 'TeacherLeft'
              ? e.data.leftOn
              : undefined;
      if (on === undefined) continue;
      const stream = streamOf(e);
      expect(on >= (last.get(stream) ?? '')).toBe(true);
      last.set(stream, on);
    }
  });

  it('contains the 2025 reorganisation and the histories the plan needs', () => {
    const types = new Set(events.map((e) => e.type));
    for (const t of [
      'UnitMerged',
      'UnitAreaChanged',
      'TeacherLeft',
      'DegreeAwarded',
      'CourseCompleted',
      'EventRetracted',
      'ProgrammeTopicsCorrected',
    ]) {
      expect(types).toContain(t);
    }
  });
});

describe('generateDataset at province scale', () => {
  it('records every revocation and retraction after what it revokes or retracts', () => {
    const awarded = new Set<string>();
    const ids = new Set<string>();
    const late: string[] = [];
    for (const e of generateDataset({ teachers: 30_000 })) {
      if (e.type === 'DegreeAwarded') awarded.add(e.data.degreeId);
      if (e.type === 'DegreeRevoked' && !awarded.has(e.data.degreeId)) late.push(e.data.degreeId);
      if (e.type === 'EventRetracted' && !ids.has(e.data.eventId)) late.push(e.data.eventId);
      ids.add(e.id);
    }
    expect(late).toEqual([]);
  });
});
