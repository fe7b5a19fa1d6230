import {
  type RecordedEvent,
  type TeacherView,
  recorderOf,
  teacherViewFor,
  writesFor,
} from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { ApiKey } from '../keys/key-store.js';

/**
 * The merges of `unitIds` and of the units they were merged into, read from the
 * log (never from a cache): `mergedInto` of each unit met, undefined when not merged.
 */
export const mergesOf = async (
  store: EventStore,
  unitIds: Iterable<string>,
): Promise<(unitId: string) => string | undefined> => {
  const into = new Map<string, string | undefined>();
  const queue = [...unitIds];
  for (let unitId = queue.pop(); unitId !== undefined; unitId = queue.pop()) {
    if (into.has(unitId)) continue;
    let merged: string | undefined;
    for await (const e of store.readStream(`unit-${unitId}`))
      if (e.type === 'UnitMerged') merged = (e.data as { intoUnitId: string }).intoUnitId;
    into.set(unitId, merged);
    if (merged !== undefined) queue.push(merged);
  }
  return (unitId) => into.get(unitId);
};

/** The units a teacher's stream names (employments, transfers, recorders). */
const unitsNamed = (events: readonly RecordedEvent[]): Set<string> => {
  const units = new Set<string>();
  for (const e of events) {
    const data = e.data as { unitId?: unknown; toUnitId?: unknown };
    if (typeof data.unitId === 'string') units.add(data.unitId);
    if (typeof data.toUnitId === 'string') units.add(data.toUnitId);
    const recorder = recorderOf(e.metadata);
    if (recorder.role === 'integrator') for (const u of recorder.units) units.add(u);
  }
  return units;
};

/**
 * What `key` may read of a teacher's stream (`teacherViewFor` of @nhagiao/domain,
 * docs/authority.md): everything for an auditor or admin, an integrator its spans
 * and qualifications, a reporter nothing.
 */
export const teacherViewOfKey = async (
  store: EventStore,
  key: ApiKey,
  events: readonly RecordedEvent[],
): Promise<TeacherView<RecordedEvent>> => {
  if (key.role === 'auditor' || key.role === 'admin')
    return { readable: events.length > 0, events };
  if (key.role !== 'integrator') return { readable: false, events: [] };
  const mergedInto = await mergesOf(store, [...key.units, ...unitsNamed(events)]);
  return teacherViewFor(key.units, mergedInto, events);
};

/**
 * Whether `key` may see that an event exists (a proof by event id): an auditor
 * or admin any; an integrator what a key of its units recorded, an event about
 * one of its units (a unit's own events, its reports), and a teacher's event it
 * may read (`teacherViewOfKey`); nothing else.
 */
export const eventVisibleTo = async (
  store: EventStore,
  key: ApiKey,
  event: RecordedEvent,
): Promise<boolean> => {
  if (key.role === 'auditor' || key.role === 'admin') return true;
  if (key.role !== 'integrator') return false;
  const recorder = recorderOf(event.metadata);
  const data = event.data as { unitId?: unknown; teacherId?: unknown };
  const named = [
    ...(recorder.role === 'integrator' ? recorder.units : []),
    ...(typeof data.unitId === 'string' ? [data.unitId] : []),
  ];
  const mergedInto = await mergesOf(store, [...key.units, ...named]);
  if (
    recorder.role === 'integrator' &&
    recorder.units.every((u) => writesFor(key.units, u, mergedInto))
  )
    return true;
  if (!event.stream.startsWith('teacher-'))
    return typeof data.unitId === 'string' && writesFor(key.units, data.unitId, mergedInto);
  const history: RecordedEvent[] = [];
  for await (const e of store.readStream(event.stream)) history.push(e);
  return (await teacherViewOfKey(store, key, history)).events.some((e) => e.id === event.id);
};
