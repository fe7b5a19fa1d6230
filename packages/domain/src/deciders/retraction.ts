import { DomainError, type Result, err } from '../errors.js';
import type { Envelope, EventOf } from '../events/schemas.js';
import type { DecisionLookup } from './lookup.js';
import { accept, reject } from './reject.js';
import {
  type TeacherEnvelope,
  type TeacherDecisionState,
  evolveTeacher,
  initialTeacherState,
  isTeacherEnvelope,
  retractionTargets,
} from './teacher-state.js';

type TeacherDecider = (
  state: TeacherDecisionState,
  envelope: TeacherEnvelope,
  lookup: DecisionLookup,
) => Result<Envelope[]>;

/**
 * An EventRetracted removes an earlier event of the same teacher's stream as if it
 * never happened, so it is accepted only when the stream without that event is
 * still valid: the remaining events are replayed through the decider, and the
 * first one that would be refused is named.
 */
export const decideRetraction = (
  envelope: EventOf<'EventRetracted'> & Envelope,
  lookup: DecisionLookup,
  decideTeacher: TeacherDecider,
): Result<Envelope[]> => {
  const { teacherId, eventId } = envelope.data;
  const history = lookup.teacherHistory(teacherId).filter(isTeacherEnvelope);
  const target = history.find((e) => e.id === eventId);
  if (target === undefined) {
    return reject(
      'retraction-invalid',
      'data.eventId',
      `${eventId} is not an event of teacher ${teacherId}`,
    );
  }
  if (target.type === 'EventRetracted') {
    return reject(
      'retraction-invalid',
      'data.eventId',
      `${eventId} is itself a retraction and cannot be retracted`,
    );
  }
  const retracted = retractionTargets(history);
  if (retracted.has(eventId)) {
    return reject('retraction-invalid', 'data.eventId', `${eventId} is already retracted`);
  }
  let state = initialTeacherState;
  for (const e of history) {
    if (e.type === 'EventRetracted' || retracted.has(e.id) || e.id === eventId) continue;
    const decided = decideTeacher(state, e, lookup);
    if (!decided.ok) {
      const message = `retracting ${eventId} (${target.type}) would leave the later event ${e.id} (${e.type}) invalid: ${decided.error.message}`;
      return err(
        new DomainError(
          'retraction-invalid',
          `data.eventId: ${message}`,
          [{ path: 'data.eventId', message }],
          {
            cause: decided.error,
          },
        ),
      );
    }
    state = evolveTeacher(state, e);
  }
  return accept(envelope);
};
