import { type RecordedEvent, type TeacherView, recorderOf, teacherViewFor } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { ApiKey } from '../keys/keyStore.js';

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
