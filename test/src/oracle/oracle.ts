import {
  DEGREE_LEVELS,
  type RecordedEvent,
  type Topic,
  UNIT_KINDS,
  type UnitKind,
} from '@nhagiao/domain';
import { meetsStandard } from './standard.js';
import { type Dated, type TeacherFacts, type UnitFacts, type World, buildWorld } from './world.js';

/** Plan 423's figures start counting training from this date (docs/indicators.md § Indicators). */
export const COUNT_FROM = '2024-01-01';

const TRAINED_TOPICS = {
  'trained-curriculum-outcomes': 'curriculum-outcomes',
  'trained-quality-accreditation': 'quality-accreditation',
  'trained-digital-materials': 'digital-materials',
  'trained-digital-transformation': 'digital-transformation',
} as const satisfies Record<string, Topic>;

/** The six indicators of plan 423 (docs/indicators.md § Plan 423 and its targets), in the plan's order. */
export const ORACLE_INDICATORS = [
  'master-or-above',
  'college-lecturers-qualified',
  ...(Object.keys(TRAINED_TOPICS) as (keyof typeof TRAINED_TOPICS)[]),
] as const;
export type OracleIndicator = (typeof ORACLE_INDICATORS)[number];

export interface Count {
  numerator: number;
  denominator: number;
}

/** Figures keyed `${indicator}|${scope}`, scopes as `province`, `unit:<id>`, `area:<code>`, `kind:<kind>`. */
export type OracleFigures = Map<string, Count>;

export const figureKey = (indicator: string, scope: string): string => `${indicator}|${scope}`;

/** The value of the latest entry effective on or before `asOf` (log order breaks ties), or undefined. */
const latestOn = <T>(entries: readonly Dated<T>[], asOf: string): T | undefined => {
  let best: Dated<T> | undefined;
  for (const entry of entries) if (entry.on <= asOf && (!best || entry.on >= best.on)) best = entry;
  return best?.value;
};

const unitOf = (world: World, unitId: string): UnitFacts => {
  const u = world.units.get(unitId);
  if (!u) throw new Error(`oracle: unit ${unitId} is not registered`);
  return u;
};

/** Follows merges effective on or before `asOf`, chained (reading 1). */
const resolveUnit = (world: World, unitId: string, asOf: string): string => {
  let current = unitId;
  for (let hops = 0; hops < 100; hops++) {
    const into = latestOn(unitOf(world, current).merges, asOf);
    if (into === undefined || into === current) return current;
    current = into;
  }
  throw new Error(`oracle: merge cycle from unit ${unitId}`);
};

const areaOn = (unit: UnitFacts, asOf: string): string =>
  latestOn(unit.areaChanges, asOf) ?? unit.registeredArea;

const revokedBy = (revocations: readonly string[] | undefined, asOf: string): boolean =>
  (revocations ?? []).some((r) => r <= asOf);

/** Where a teacher counts on `asOf` and with which assignment, or undefined when not in P. */
const placeInPopulation = (t: TeacherFacts, asOf: string) => {
  const active = t.employments.filter(
    (e) => e.hiredOn <= asOf && (e.leftOn === undefined || asOf < e.leftOn),
  );
  const employment = active.at(-1);
  if (!employment?.permanent) return undefined;
  const unitId = latestOn(employment.units, asOf);
  const assignment = latestOn(employment.assignments, asOf);
  if (unitId === undefined || assignment === undefined) {
    throw new Error('oracle: an active employment without a unit or assignment');
  }
  return { unitId, assignment };
};

const holdsMaster = (t: TeacherFacts, asOf: string): boolean =>
  [...t.degrees].some(
    ([id, d]) =>
      d.awardedOn <= asOf &&
      !revokedBy(t.degreeRevocations.get(id), asOf) &&
      DEGREE_LEVELS.indexOf(d.level) >= DEGREE_LEVELS.indexOf('master'),
  );

const qualified = (
  t: TeacherFacts,
  asOf: string,
  assignment: NonNullable<ReturnType<typeof placeInPopulation>>['assignment'],
): boolean => {
  const degrees = [...t.degrees].filter(
    ([id, d]) => d.awardedOn <= asOf && !revokedBy(t.degreeRevocations.get(id), asOf),
  );
  const certificates = [...t.certificates]
    .filter(
      ([id, c]) =>
        c.issuedOn <= asOf &&
        !revokedBy(t.certificateRevocations.get(id), asOf) &&
        !(c.expiresOn !== undefined && c.expiresOn <= asOf),
    )
    .map(([, c]) => c);
  const held = {
    highestDegree: Math.max(-1, ...degrees.map(([, d]) => DEGREE_LEVELS.indexOf(d.level))),
    pedagogicalDegree: degrees.some(
      ([, d]) =>
        d.pedagogical && DEGREE_LEVELS.indexOf(d.level) >= DEGREE_LEVELS.indexOf('college'),
    ),
    nationalSkill: Math.max(
      0,
      ...certificates.filter((c) => c.kind === 'national-skill').map((c) => c.level ?? 0),
    ),
    practiceLicence: certificates.some((c) => c.kind === 'practice-licence'),
    honoraryTitle: certificates.some((c) => c.kind === 'honorary-title'),
    pedagogyVet: certificates.some((c) => c.kind === 'pedagogy-vet'),
    pedagogyElementary: certificates.some((c) => c.kind === 'pedagogy-elementary'),
  };
  return meetsStandard(held, assignment.levels, assignment.mode);
};

const trainedIn = (world: World, t: TeacherFacts, topic: Topic, asOf: string): boolean =>
  t.completions.some((c) => {
    const topics = world.programmeTopics.get(c.programmeId);
    if (!topics) throw new Error(`oracle: completion of unregistered programme ${c.programmeId}`);
    return (
      COUNT_FROM <= c.completedOn &&
      c.completedOn <= asOf &&
      !(c.revokedOn !== undefined && c.revokedOn <= asOf) &&
      topics.includes(topic)
    );
  });

/**
 * Every indicator of plan 423 for every scope, as of `asOf` and as known at
 * `knownAt`, computed by walking each teacher on that date. Scopes listed even
 * at 0/0: province, every unit kind, and every unit registered on or before
 * `asOf` and not merged away by then, with its area on `asOf`.
 */
export const oracleFigures = (
  events: readonly RecordedEvent[],
  asOf: string,
  knownAt?: bigint,
): OracleFigures => {
  const world = buildWorld(events, knownAt);
  const figures: OracleFigures = new Map();
  const scopes = new Set<string>(['province', ...UNIT_KINDS.map((k) => `kind:${k}`)]);
  for (const [unitId, unit] of world.units) {
    // A unit merged away by then has no figures of its own: its teachers count under the into-unit.
    // Before its registration date it is listed only when someone counts there (added below).
    if (resolveUnit(world, unitId, asOf) !== unitId || asOf < unit.registeredOn) continue;
    scopes.add(`unit:${unitId}`);
    scopes.add(`area:${areaOn(unit, asOf)}`);
  }
  for (const indicator of ORACLE_INDICATORS) {
    for (const scope of scopes)
      figures.set(figureKey(indicator, scope), { numerator: 0, denominator: 0 });
  }
  const add = (indicator: OracleIndicator, scopesOfTeacher: readonly string[], hit: boolean) => {
    for (const scope of scopesOfTeacher) {
      const key = figureKey(indicator, scope);
      const count = figures.get(key) ?? { numerator: 0, denominator: 0 };
      count.denominator += 1;
      if (hit) count.numerator += 1;
      figures.set(key, count);
    }
  };

  for (const t of world.teachers.values()) {
    const place = placeInPopulation(t, asOf);
    if (!place) continue;
    const unitId = resolveUnit(world, place.unitId, asOf);
    const unit = unitOf(world, unitId);
    const kind: UnitKind = unit.kind;
    const mine = ['province', `unit:${unitId}`, `area:${areaOn(unit, asOf)}`, `kind:${kind}`];

    add('master-or-above', mine, holdsMaster(t, asOf));
    if (kind === 'college')
      add('college-lecturers-qualified', mine, qualified(t, asOf, place.assignment));
    for (const [indicator, topic] of Object.entries(TRAINED_TOPICS) as [
      keyof typeof TRAINED_TOPICS,
      Topic,
    ][]) {
      add(indicator, mine, trainedIn(world, t, topic, asOf));
    }
  }
  return figures;
};
