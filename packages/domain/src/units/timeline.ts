import { match } from 'ts-pattern';
import { DomainError } from '../errors.js';
import type { DomainEvent, EventOf } from '../events/schemas.js';
import type { EventTypeOfKind } from '../events/streams.js';
import type { UnitKind } from '../events/vocabulary.js';

export type UnitEventType = EventTypeOfKind<'unit'>;
export type UnitEvent = EventOf<UnitEventType>;

/** An event with the global position the store gave it (a `RecordedEvent` is one). */
export type Positioned<E extends DomainEvent = DomainEvent> = E & { readonly position: bigint };

/** A value of a unit that holds from `from` on, learnt at `position`. */
export interface Dated<T> {
  readonly from: string;
  readonly position: bigint;
  readonly value: T;
}

/** Everything known about one unit, each change kept with its valid date and position. */
export interface UnitHistory {
  readonly unitId: string;
  readonly kind: UnitKind;
  readonly registeredOn: string;
  readonly position: bigint;
  /** Sorted by (from, position): the last entry with from ≤ D (and known) holds on D. */
  readonly names: readonly Dated<string>[];
  readonly areas: readonly Dated<string>[];
  readonly merges: readonly Dated<string>[];
}

/** The unit timeline: every registered unit's history. Treat as immutable. */
export interface UnitTimeline {
  readonly units: ReadonlyMap<string, UnitHistory>;
}

/** What a unit is on a date: the unit it counts under after merges, and that unit's name, area and kind. */
export interface ResolvedUnit {
  readonly unitId: string;
  readonly name: string;
  readonly area: string;
  readonly kind: UnitKind;
}

export const emptyUnitTimeline: UnitTimeline = { units: new Map() };

const UNIT_EVENT_TYPES = new Set<string>([
  'UnitRegistered',
  'UnitRenamed',
  'UnitAreaChanged',
  'UnitMerged',
]);
export const isUnitEvent = (event: DomainEvent): event is UnitEvent =>
  UNIT_EVENT_TYPES.has(event.type);

/** Inserts keeping (from, position) order; a position already present is not added twice. */
const insertDated = <T>(list: readonly Dated<T>[], entry: Dated<T>): readonly Dated<T>[] => {
  if (list.some((e) => e.position === entry.position)) return list;
  const at = list.findIndex(
    (e) => e.from > entry.from || (e.from === entry.from && e.position > entry.position),
  );
  return at === -1 ? [...list, entry] : [...list.slice(0, at), entry, ...list.slice(at)];
};

/**
 * Adds one unit event to the timeline and returns the new timeline; the old one is
 * unchanged. Applying the same event (same position) again changes nothing, so a
 * projector that sees an event twice stays correct. Events may arrive in any
 * position order except that a unit's registration comes before its changes.
 */
export const applyUnitEvent = (
  timeline: UnitTimeline,
  event: Positioned<UnitEvent>,
): UnitTimeline => {
  const { unitId } = event.data;
  const existing = timeline.units.get(unitId);
  if (event.type === 'UnitRegistered') {
    if (existing !== undefined) {
      if (existing.position === event.position) return timeline;
      throw DomainError.field(
        'already-exists',
        'data.unitId',
        `unit ${unitId} is already registered`,
      );
    }
    const { name, area, kind, registeredOn } = event.data;
    const at = { from: registeredOn, position: event.position };
    return withUnit(timeline, {
      unitId,
      kind,
      registeredOn,
      position: event.position,
      names: [{ ...at, value: name }],
      areas: [{ ...at, value: area }],
      merges: [],
    });
  }
  if (existing === undefined) {
    throw DomainError.field('unknown-unit', 'data.unitId', `unit ${unitId} is not registered`);
  }
  const next = match(event)
    .with({ type: 'UnitRenamed' }, (e) => ({
      ...existing,
      names: insertDated(existing.names, {
        from: e.data.effectiveOn,
        position: e.position,
        value: e.data.name,
      }),
    }))
    .with({ type: 'UnitAreaChanged' }, (e) => ({
      ...existing,
      areas: insertDated(existing.areas, {
        from: e.data.effectiveOn,
        position: e.position,
        value: e.data.area,
      }),
    }))
    .with({ type: 'UnitMerged' }, (e) => ({
      ...existing,
      merges: insertDated(existing.merges, {
        from: e.data.effectiveOn,
        position: e.position,
        value: e.data.intoUnitId,
      }),
    }))
    .exhaustive();
  return withUnit(timeline, next);
};

const withUnit = (timeline: UnitTimeline, unit: UnitHistory): UnitTimeline => {
  const units = new Map(timeline.units);
  units.set(unit.unitId, unit);
  return { units };
};

/** Builds the timeline from events in any order; events that are not unit events are skipped. */
export const unitTimelineFrom = (events: Iterable<Positioned>): UnitTimeline => {
  const unitEvents: Positioned<UnitEvent>[] = [];
  for (const e of events) if (isUnitEvent(e)) unitEvents.push(e as Positioned<UnitEvent>);
  // Registrations first, so a change read before its unit's registration still applies.
  unitEvents.sort((a, b) =>
    (a.type === 'UnitRegistered') !== (b.type === 'UnitRegistered')
      ? a.type === 'UnitRegistered'
        ? -1
        : 1
      : a.position < b.position
        ? -1
        : a.position > b.position
          ? 1
          : 0,
  );
  return unitEvents.reduce(applyUnitEvent, emptyUnitTimeline);
};

/** The latest entry effective on or before `date` and known at `knownAt`. */
const latestOn = <T>(
  list: readonly Dated<T>[],
  date: string,
  knownAt: bigint | undefined,
): T | undefined => {
  let found: T | undefined;
  for (const e of list) {
    if (e.from > date) break;
    if (knownAt === undefined || e.position <= knownAt) found = e.value;
  }
  return found;
};

/** A name or area on `date`; before the first entry, the registered one (a unit counts from any date). */
const valueOn = <T>(
  list: readonly Dated<T>[],
  date: string,
  knownAt: bigint | undefined,
): T | undefined => {
  const first = list[0];
  return (
    latestOn(list, date, knownAt) ??
    (first !== undefined && (knownAt === undefined || first.position <= knownAt)
      ? first.value
      : undefined)
  );
};

const cache = new WeakMap<UnitTimeline, Map<string, ResolvedUnit | undefined>>();

/**
 * Where `unitId` counts on `date` (docs/indicators.md § Readings, 1 and 11): follows every
 * merge effective on or before `date`, chained, and gives the resolved unit's name,
 * area and kind on that date. With `knownAt`, only events at positions ≤ knownAt
 * are seen (the timeline "as known at T").
 *
 * A unit counts from any date once registered: `registeredOn` does not exclude
 * teachers hired earlier, because integrators often register a unit after the
 * fact. Returns undefined only when the unit is not registered (as known at T).
 */
export const resolveUnit = (
  timeline: UnitTimeline,
  unitId: string,
  date: string,
  knownAt?: bigint,
): ResolvedUnit | undefined => {
  let memo = cache.get(timeline);
  if (memo === undefined) {
    memo = new Map();
    cache.set(timeline, memo);
  }
  const key = `${unitId}\u0000${date}\u0000${knownAt ?? ''}`;
  if (memo.has(key)) return memo.get(key);
  const resolved = resolveUncached(timeline, unitId, date, knownAt);
  memo.set(key, resolved);
  return resolved;
};

const resolveUncached = (
  timeline: UnitTimeline,
  unitId: string,
  date: string,
  knownAt: bigint | undefined,
): ResolvedUnit | undefined => {
  const known = (u: UnitHistory | undefined): u is UnitHistory =>
    u !== undefined && (knownAt === undefined || u.position <= knownAt);
  let unit = timeline.units.get(unitId);
  if (!known(unit)) return undefined;
  // The decider refuses merge cycles; the visited set keeps a corrupt log from looping forever.
  const visited = new Set<string>([unit.unitId]);
  for (;;) {
    // A merge has no effect before its date: history before it stays with the old unit.
    const into: string | undefined = latestOn(unit.merges, date, knownAt);
    if (into === undefined || visited.has(into)) break;
    const next = timeline.units.get(into);
    if (!known(next)) break;
    visited.add(into);
    unit = next;
  }
  const name = valueOn(unit.names, date, knownAt);
  const area = valueOn(unit.areas, date, knownAt);
  if (name === undefined || area === undefined) return undefined;
  return { unitId: unit.unitId, name, area, kind: unit.kind };
};
