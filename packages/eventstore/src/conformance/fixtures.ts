import { randomUUID } from 'node:crypto';
import type { Envelope, RecordedEvent } from '@nhagiao/domain';
import type { EventStore } from '../port.js';

export interface ConformanceStore {
  readonly store: EventStore;
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<ConformanceStore>;

/**
 * A fresh teacher id per call. The suite may run against a shared store (a real
 * EventStoreDB holds system events and other tests' events), so every test
 * writes its own streams and looks only at them.
 */
export const uniqueTeacherId = (): string => `cf-${randomUUID().slice(0, 13)}`;

export const registered = (
  teacherId: string,
  fullName = 'Hoàng Văn Thụ',
  metadata?: Record<string, string>,
): Envelope => ({
  id: randomUUID(),
  type: 'TeacherRegistered',
  data: { teacherId, fullName },
  ...(metadata === undefined ? {} : { metadata }),
});

export const completed = (
  teacherId: string,
  programmeId: string,
  completedOn: string,
): Envelope => ({
  id: randomUUID(),
  type: 'CourseCompleted',
  data: { teacherId, programmeId, completedOn, hours: 40, result: 'passed' },
});

/** `n` events for one teacher's stream, each distinct. */
export const completions = (teacherId: string, n: number): Envelope[] =>
  Array.from({ length: n }, (_, i) => completed(teacherId, `prog-${i}`, '2025-05-12'));

export const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

/** The events of the global log (after `after`) that belong to `streams`, in log order. */
export const readOurs = async (
  store: EventStore,
  streams: readonly string[],
  after?: bigint,
): Promise<RecordedEvent[]> => {
  const wanted = new Set(streams);
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll(after === undefined ? {} : { after })) {
    if (wanted.has(e.stream)) out.push(e);
  }
  return out;
};

/** What the sender chose, to compare with what the store gives back. */
export const sent = (e: Envelope | RecordedEvent) => ({
  id: e.id,
  type: e.type,
  data: e.data,
  metadata: e.metadata ?? {},
});

export const isStrictlyIncreasing = (xs: readonly bigint[]): boolean =>
  xs.every((x, i) => i === 0 || (xs[i - 1] as bigint) < x);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
