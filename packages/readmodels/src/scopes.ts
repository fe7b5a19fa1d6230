import { match } from 'ts-pattern';
import { resolveUnit, UNIT_KINDS } from '@nhagiao/domain';
import type { IndicatorDefinition, ResolvedUnit, UnitTimeline } from '@nhagiao/domain';
import type { UnitSum } from './cumulative.js';
import type { FigureRow, Scope, ScopeKind } from './types.js';

export const scopeOf = (by: ScopeKind, unit: ResolvedUnit): Scope =>
  match(by)
    .returnType<Scope>()
    .with('province', () => 'province')
    .with('unit', () => `unit:${unit.unitId}`)
    .with('area', () => `area:${unit.area}`)
    .with('kind', () => `kind:${unit.kind}`)
    .exhaustive();

export const scopeKindOf = (scope: Scope): ScopeKind => {
  if (scope === 'province') return 'province';
  const kind = scope.slice(0, scope.indexOf(':'));
  if (kind === 'unit' || kind === 'area' || kind === 'kind') return kind;
  throw new RangeError(
    `unknown scope "${scope}": expected province, unit:<id>, area:<code> or kind:<kind>`,
  );
};

/**
 * Whether a unit's rows count for the indicator: the meets-standard rule counts
 * only units of its kind (docs/indicators.md § Readings, 5); the projection writes
 * denominators for every permanent teacher and the restriction is applied here.
 */
export const countsFor = (definition: IndicatorDefinition, unit: ResolvedUnit): boolean =>
  match(definition.rule)
    .with({ kind: 'meets-standard' }, (r) => unit.kind === r.unitKind)
    .with({ kind: 'master-or-above' }, { kind: 'trained' }, () => true)
    .exhaustive();

/** The raw unit ids whose rows count toward `scope` for `definition` on `date`. */
export const unitsInScope = (
  timeline: UnitTimeline,
  definition: IndicatorDefinition,
  scope: Scope,
  date: string,
  candidates: Iterable<string>,
): string[] => {
  const by = scopeKindOf(scope);
  const out: string[] = [];
  for (const unitId of candidates) {
    const unit = resolveUnit(timeline, unitId, date);
    if (unit !== undefined && countsFor(definition, unit) && scopeOf(by, unit) === scope)
      out.push(unitId);
  }
  return out;
};

/** Units registered on or before `date`: with the province, the scopes a report lists. */
const unitsRegisteredBy = (timeline: UnitTimeline, date: string): string[] =>
  [...timeline.units.values()].filter((u) => u.registeredOn <= date).map((u) => u.unitId);

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Turns per-(indicator, unit) sums into figures per scope: every indicator ×
 * every scope that exists on `asOf`, 0/0 included so reports are complete.
 */
export const figuresFrom = (
  sums: readonly UnitSum[],
  timeline: UnitTimeline,
  indicators: readonly IndicatorDefinition[],
  by: ScopeKind,
  asOf: string,
): FigureRow[] => {
  const resolved = new Map<string, ResolvedUnit | undefined>();
  const resolve = (unitId: string): ResolvedUnit | undefined => {
    if (!resolved.has(unitId)) resolved.set(unitId, resolveUnit(timeline, unitId, asOf));
    return resolved.get(unitId);
  };

  const scopes = new Set<Scope>();
  if (by === 'province') scopes.add('province');
  if (by === 'kind') for (const kind of UNIT_KINDS) scopes.add(`kind:${kind}`);
  for (const unitId of unitsRegisteredBy(timeline, asOf)) {
    const unit = resolve(unitId);
    if (unit !== undefined) scopes.add(scopeOf(by, unit));
  }

  const totals = new Map<string, { n: number; d: number }>();
  const byCode = new Map(indicators.map((d) => [d.code, d]));
  for (const sum of sums) {
    const definition = byCode.get(sum.indicator);
    const unit = resolve(sum.unitId);
    if (definition === undefined || unit === undefined || !countsFor(definition, unit)) continue;
    const scope = scopeOf(by, unit);
    scopes.add(scope);
    const key = `${sum.indicator}\u0000${scope}`;
    const t = totals.get(key) ?? { n: 0, d: 0 };
    t.n += sum.numerator;
    t.d += sum.denominator;
    totals.set(key, t);
  }

  const sortedScopes = [...scopes].sort(compare);
  const rows: FigureRow[] = [];
  for (const definition of indicators) {
    for (const scope of sortedScopes) {
      const t = totals.get(`${definition.code}\u0000${scope}`) ?? { n: 0, d: 0 };
      rows.push({
        indicator: definition.code,
        scope,
        asOf,
        numerator: t.n,
        denominator: t.d,
        value: t.d === 0 ? null : t.n / t.d,
      });
    }
  }
  return rows;
};
