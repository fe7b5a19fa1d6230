import fc from 'fast-check';
import type { RecordedEvent } from '../events/recorded.js';
import type { EventData, EventType } from '../events/schemas.js';
import {
  CERTIFICATE_KINDS,
  DEGREE_LEVELS,
  TEACHING_LEVELS,
  TEACHING_MODES,
  TOPICS,
  type Topic,
} from '../events/vocabulary.js';
import { foldTeacherFacts } from '../facts/fold.js';
import { computeContribution } from '../indicators/contribution.js';
import { type ContributionValue, compareText, contributionAt } from '../indicators/step.js';
import type { DeltaRow } from './delta.js';
import { createLedgerProjection } from './projection.js';
import { PLAN_423, recorder } from './test-support/events.js';

type Draft = { [K in EventType]: { type: K; data: EventData<K> } }[EventType];

const BASE = Date.UTC(2015, 0, 1);
const DAY = 86_400_000;
const dateOf = (offset: number): string => new Date(BASE + offset * DAY).toISOString().slice(0, 10);
const dayBefore = (date: string): string =>
  new Date(Date.parse(date) - DAY).toISOString().slice(0, 10);

const TEACHERS = ['t1', 't2'];
const PROGRAMMES = ['p1', 'p2', 'p3'];
const UNITS = ['cdbk', 'ttgdnn-cho-don', 'ttgdnn-ba-be'];

const levelsArb = fc.subarray([...TEACHING_LEVELS], { minLength: 1 });
const modeArb = fc.constantFrom(...TEACHING_MODES);
const topicsArb = fc.subarray([...TOPICS], { minLength: 1 }) as fc.Arbitrary<Topic[]>;
const dayArb = fc.integer({ min: 0, max: 6000 });

/** One teacher's employment: stints in date order, each change after the previous one. */
const employmentArb = (teacherId: string): fc.Arbitrary<Draft[]> =>
  fc
    .array(
      fc.record({
        gapBefore: fc.integer({ min: 0, max: 900 }),
        unitId: fc.constantFrom(...UNITS),
        // One stint in six is visiting.
        visiting: fc.integer({ min: 0, max: 5 }),
        levels: levelsArb,
        mode: modeArb,
        changes: fc.array(
          fc.record({
            after: fc.integer({ min: 0, max: 600 }),
            transfer: fc.boolean(),
            unitId: fc.constantFrom(...UNITS),
            levels: levelsArb,
            mode: modeArb,
          }),
          { maxLength: 3 },
        ),
        leaveAfter: fc.option(fc.integer({ min: 1, max: 1500 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((stints) => {
      const out: Draft[] = [];
      let day = 0;
      stints.forEach((s, i) => {
        day += s.gapBefore;
        out.push({
          type: 'TeacherHired',
          data: {
            teacherId,
            unitId: s.unitId,
            employment: s.visiting === 0 ? 'visiting' : 'permanent',
            hiredOn: dateOf(day),
            levels: s.levels,
            mode: s.mode,
          },
        });
        for (const c of s.changes) {
          day += c.after;
          out.push(
            c.transfer
              ? {
                  type: 'TeacherTransferred',
                  data: { teacherId, toUnitId: c.unitId, effectiveOn: dateOf(day) },
                }
              : {
                  type: 'TeachingAssignmentChanged',
                  data: { teacherId, levels: c.levels, mode: c.mode, effectiveOn: dateOf(day) },
                },
          );
        }
        // Every stint but the last must end before the next hire.
        const leave = s.leaveAfter ?? (i < stints.length - 1 ? 1 : undefined);
        if (leave !== undefined) {
          day += leave;
          out.push({
            type: 'TeacherLeft',
            data: { teacherId, leftOn: dateOf(day), reason: 'resigned' },
          });
        }
      });
      return out;
    });

/** Chains of events that must keep their inner order but may arrive in any order between chains. */
const chainsArb = (teacherId: string): fc.Arbitrary<Draft[][]> =>
  fc
    .record({
      degrees: fc.array(
        fc.record({
          level: fc.constantFrom(...DEGREE_LEVELS),
          on: dayArb,
          pedagogical: fc.option(fc.boolean(), { nil: undefined }),
          revokedOn: fc.option(dayArb, { nil: undefined }),
        }),
        { maxLength: 4 },
      ),
      certificates: fc.array(
        fc.record({
          kind: fc.constantFrom(...CERTIFICATE_KINDS),
          level: fc.integer({ min: 1, max: 5 }),
          on: dayArb,
          lasts: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }),
          revokedOn: fc.option(dayArb, { nil: undefined }),
        }),
        { maxLength: 4 },
      ),
      completions: fc.uniqueArray(
        fc.record({
          programmeId: fc.constantFrom(...PROGRAMMES),
          enrolledOn: dayArb,
          takes: fc.integer({ min: 0, max: 400 }),
          revokedOn: fc.option(dayArb, { nil: undefined }),
        }),
        { maxLength: 3, selector: (c) => c.programmeId },
      ),
    })
    .map(({ degrees, certificates, completions }) => {
      const chains: Draft[][] = [];
      degrees.forEach((d, i) => {
        const degreeId = `${teacherId}-d${i}`;
        const data: EventData<'DegreeAwarded'> = {
          teacherId,
          degreeId,
          level: d.level,
          field: 'Điện',
          institution: 'ĐH',
          awardedOn: dateOf(d.on),
        };
        if (d.pedagogical !== undefined) data.pedagogical = d.pedagogical;
        const chain: Draft[] = [{ type: 'DegreeAwarded', data }];
        if (d.revokedOn !== undefined)
          chain.push({
            type: 'DegreeRevoked',
            data: { teacherId, degreeId, revokedOn: dateOf(d.revokedOn), reason: 'x' },
          });
        chains.push(chain);
      });
      certificates.forEach((c, i) => {
        const certificateId = `${teacherId}-c${i}`;
        const data: EventData<'CertificateIssued'> = {
          teacherId,
          certificateId,
          kind: c.kind,
          issuedOn: dateOf(c.on),
        };
        if (c.kind === 'national-skill' || c.kind === 'foreign-language') data.level = c.level;
        if (c.lasts !== undefined) data.expiresOn = dateOf(c.on + c.lasts);
        const chain: Draft[] = [{ type: 'CertificateIssued', data }];
        if (c.revokedOn !== undefined)
          chain.push({
            type: 'CertificateRevoked',
            data: { teacherId, certificateId, revokedOn: dateOf(c.revokedOn), reason: 'x' },
          });
        chains.push(chain);
      });
      for (const c of completions) {
        const chain: Draft[] = [
          {
            type: 'TeacherEnrolled',
            data: { teacherId, programmeId: c.programmeId, enrolledOn: dateOf(c.enrolledOn) },
          },
          {
            type: 'CourseCompleted',
            data: {
              teacherId,
              programmeId: c.programmeId,
              completedOn: dateOf(c.enrolledOn + c.takes),
            },
          },
        ];
        if (c.revokedOn !== undefined)
          chain.push({
            type: 'CourseCompletionRevoked',
            data: {
              teacherId,
              programmeId: c.programmeId,
              revokedOn: dateOf(c.revokedOn),
              reason: 'x',
            },
          });
        chains.push(chain);
      }
      return chains;
    });

const programmeChainsArb: fc.Arbitrary<Draft[][]> = fc
  .tuple(...PROGRAMMES.map(() => fc.tuple(topicsArb, fc.array(topicsArb, { maxLength: 2 }))))
  .map((ps) =>
    ps.map(([topics, corrections], i) => {
      const programmeId = PROGRAMMES[i]!;
      return [
        {
          type: 'ProgrammeRegistered',
          data: { programmeId, title: 'Khoá', provider: 'Sở', topics },
        },
        ...corrections.map((t): Draft => ({
          type: 'ProgrammeTopicsCorrected',
          data: { programmeId, topics: t, reason: 'sửa' },
        })),
      ] as Draft[];
    }),
  );

/** Merges chains keeping each chain's order, choosing the next chain by `picks`. */
const interleave = (chains: Draft[][], picks: readonly number[]): Draft[] => {
  const queues = chains.map((c) => [...c]).filter((c) => c.length > 0);
  const out: Draft[] = [];
  let k = 0;
  while (queues.length > 0) {
    const i = (picks[k++ % Math.max(picks.length, 1)] ?? 0) % queues.length;
    const q = queues[i]!;
    out.push(q.shift()!);
    if (q.length === 0) queues.splice(i, 1);
  }
  return out;
};

const historyArb = fc.record({
  employment: fc.tuple(...TEACHERS.map(employmentArb)),
  chains: fc.tuple(...TEACHERS.map(chainsArb)),
  programmes: programmeChainsArb,
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
  otherPicks: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
  retractions: fc.array(
    fc.tuple(
      fc.double({ min: 0, max: 0.999, noNaN: true }),
      fc.double({ min: 0, max: 0.999, noNaN: true }),
    ),
    {
      maxLength: 3,
    },
  ),
});

type History = typeof historyArb extends fc.Arbitrary<infer H> ? H : never;

/** The events in one allowed arrival order: employment events as chains too, so they keep their order. */
const arrival = (h: History, picks: readonly number[]): Draft[] =>
  interleave([...h.employment, ...h.chains.flat(), ...h.programmes], picks);

const recordAll = (drafts: Draft[]): RecordedEvent[] => {
  const r = recorder();
  return drafts.map((d) => r(d.type, d.data as never));
};

/** Adds retractions, each after its target, of teacher events chosen by the fractions. */
const withRetractions = (
  events: RecordedEvent[],
  fractions: readonly (readonly [number, number])[],
): Draft[] => {
  const drafts: (Draft & { id?: string })[] = events.map(
    (e) => ({ type: e.type, data: e.data, id: e.id }) as Draft & { id: string },
  );
  for (const [t, s] of fractions) {
    const candidates = drafts
      .map((d, i) => [d, i] as const)
      .filter(([d]) => d.type !== 'EventRetracted' && 'teacherId' in d.data && d.id !== undefined);
    const picked = candidates[Math.floor(t * candidates.length)];
    if (picked === undefined) continue;
    const [target, at] = picked;
    const teacherId = (target.data as { teacherId: string }).teacherId;
    const insertAt = at + 1 + Math.floor(s * (drafts.length - at));
    drafts.splice(insertAt, 0, {
      type: 'EventRetracted',
      data: { teacherId, eventId: target.id!, reason: 'nhầm' },
    });
  }
  return drafts;
};

/** Records drafts keeping the ids of already-recorded events (so retractions point at them). */
const recordKeepingIds = (drafts: (Draft & { id?: string })[]): RecordedEvent[] => {
  const r = recorder();
  let fresh = 100_000;
  return drafts.map((d) =>
    r(
      d.type,
      d.data as never,
      d.id ?? `00000000-0000-4000-9000-${(fresh++).toString(16).padStart(12, '0')}`,
    ),
  );
};

const wholeHistoryAt = (
  events: RecordedEvent[],
  dates: string[],
): Map<string, ContributionValue[]> => {
  const topics = new Map<string, readonly Topic[]>();
  for (const e of events)
    if (e.type === 'ProgrammeRegistered' || e.type === 'ProgrammeTopicsCorrected')
      topics.set(e.data.programmeId, e.data.topics);
  const contributions = TEACHERS.flatMap((t) =>
    computeContribution(
      foldTeacherFacts(
        t,
        events.filter((e) => e.stream === `teacher-${t}`),
      ),
      PLAN_423,
      (p) => topics.get(p),
    ),
  );
  return new Map(dates.map((d) => [d, contributionAt(contributions, d)]));
};

/** Σ rows with validFrom ≤ D, for each D of the sorted `dates`, in one sweep. */
const ledgerAt = (rows: DeltaRow[], dates: string[]): Map<string, ContributionValue[]> => {
  const sorted = [...rows].sort((a, b) =>
    a.validFrom < b.validFrom ? -1 : a.validFrom > b.validFrom ? 1 : 0,
  );
  const sums = new Map<
    string,
    { indicator: string; unitId: string; numerator: number; denominator: number }
  >();
  const out = new Map<string, ContributionValue[]>();
  let i = 0;
  for (const d of dates) {
    for (; i < sorted.length && sorted[i]!.validFrom <= d; i++) {
      const r = sorted[i]!;
      const key = `${r.indicator}\u0000${r.unitId}`;
      const s = sums.get(key) ?? {
        indicator: r.indicator,
        unitId: r.unitId,
        numerator: 0,
        denominator: 0,
      };
      s.numerator += r.dNumerator;
      s.denominator += r.dDenominator;
      sums.set(key, s);
    }
    const values = [...sums.values()]
      .filter((s) => s.numerator !== 0 || s.denominator !== 0)
      .map((s) => ({ ...s }))
      .sort((a, b) => compareText(a.indicator, b.indicator) || compareText(a.unitId, b.unitId));
    out.set(d, values);
  }
  return out;
};

/** Every date an event names, and the day before each: where the step functions can move. */
const boundaryDates = (events: RecordedEvent[]): string[] => {
  const dates = new Set<string>();
  for (const e of events)
    for (const v of Object.values(e.data))
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) {
        dates.add(v);
        dates.add(dayBefore(v));
      }
  dates.add('2024-01-01');
  dates.add('2023-12-31');
  return [...dates].sort();
};

/** Comparing as text keeps jest's deep equality (slow on large maps) out of the loop. */
const show = (values: Map<string, ContributionValue[]>): string =>
  [...values]
    .map(
      ([d, vs]) =>
        `${d} ${vs.map((v) => `${v.indicator}@${v.unitId}=${v.numerator}/${v.denominator}`).join(' ')}`,
    )
    .join('\n');

const projectAll = (events: RecordedEvent[]): DeltaRow[] => {
  const ledger = createLedgerProjection(PLAN_423);
  return events.flatMap((e) => ledger.project(e));
};

describe('the ledger projection, on random valid histories', () => {
  it('sums, event by event, to the contribution computed from the whole history', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const base = recordAll(arrival(h, h.picks));
        const events = recordKeepingIds(withRetractions(base, h.retractions));
        const dates = boundaryDates(events);
        expect(show(ledgerAt(projectAll(events), dates))).toBe(show(wholeHistoryAt(events, dates)));
      }),
      { numRuns: 200 },
    );
  });

  it('gives the same final contribution for any arrival order the rules allow', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const one = recordAll(arrival(h, h.picks));
        const other = recordAll(arrival(h, h.otherPicks));
        const dates = boundaryDates(one);
        expect(show(ledgerAt(projectAll(other), dates))).toBe(
          show(ledgerAt(projectAll(one), dates)),
        );
        const final = (events: RecordedEvent[]) => {
          const ledger = createLedgerProjection(PLAN_423);
          for (const e of events) ledger.project(e);
          return TEACHERS.map((t) => ledger.contribution(t));
        };
        expect(JSON.stringify(final(other))).toBe(JSON.stringify(final(one)));
      }),
      { numRuns: 200 },
    );
  });
});
