import {
  type RecordedEvent,
  type TeacherFacts,
  type Topic,
  foldTeacherFacts,
} from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';

/** A teacher's stream as known at `knownAt` (every event when undefined). */
export const teacherEvents = async (
  store: EventStore,
  teacherId: string,
  knownAt?: bigint,
): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for await (const e of store.readStream(`teacher-${teacherId}`)) {
    if (knownAt === undefined || e.position <= knownAt) events.push(e);
  }
  return events;
};

export interface TeacherView {
  readonly teacherId: string;
  readonly fullName: string | undefined;
  readonly facts: TeacherFacts;
  readonly events: readonly RecordedEvent[];
}

export const teacherView = async (
  store: EventStore,
  teacherId: string,
  knownAt?: bigint,
): Promise<TeacherView> => {
  const events = await teacherEvents(store, teacherId, knownAt);
  const registered = events.find((e) => e.type === 'TeacherRegistered');
  return {
    teacherId,
    fullName: registered?.type === 'TeacherRegistered' ? registered.data.fullName : undefined,
    facts: foldTeacherFacts(teacherId, events),
    events,
  };
};

/** Programme topics as corrected, as known at `knownAt`, read from the store and cached. */
export const topicsFromStore = (store: EventStore, knownAt?: bigint) => {
  const cache = new Map<string, readonly Topic[] | undefined>();
  return {
    async load(programmeId: string): Promise<void> {
      if (cache.has(programmeId)) return;
      let topics: readonly Topic[] | undefined;
      for await (const e of store.readStream(`programme-${programmeId}`)) {
        if (knownAt !== undefined && e.position > knownAt) break;
        if (e.type === 'ProgrammeRegistered' || e.type === 'ProgrammeTopicsCorrected')
          topics = e.data.topics;
      }
      cache.set(programmeId, topics);
    },
    lookup: (programmeId: string): readonly Topic[] | undefined => cache.get(programmeId),
  };
};
