import { streamKindOf } from '@nhagiao/domain';

/** Default name of the JetStream stream that carries the event log. */
export const EVENTS_STREAM = 'NHAGIAO_EVENTS';
/** Every event subject starts with this; the stream captures `nhagiao.events.>`. */
export const EVENTS_SUBJECT_PREFIX = 'nhagiao.events';
export const EVENTS_SUBJECTS = `${EVENTS_SUBJECT_PREFIX}.>`;

/**
 * `nhagiao.events.<streamKind>.<eventType>`: consumers can filter by kind
 * (`nhagiao.events.teacher.>`) or by type (`nhagiao.events.*.CourseCompleted`).
 */
export const subjectFor = (event: { readonly stream: string; readonly type: string }): string =>
  `${EVENTS_SUBJECT_PREFIX}.${streamKindOf(event.stream)}.${event.type}`;
