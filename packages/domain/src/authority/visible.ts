import type { Envelope } from '../events/schemas.js';
import { recorderOf, writesFor } from './authorise.js';
import { SUBMITTED_AS } from './table.js';

/** The qualifications a unit's figures count whenever they were recorded: seen by every employer. */
const QUALIFICATIONS: ReadonlySet<string> = new Set([
  'DegreeAwarded',
  'DegreeRevoked',
  'CertificateIssued',
  'CertificateRevoked',
]);

/** The event without its metadata: who sent it, and from where, would tell where the teacher was. */
const withoutRecorder = <E extends Envelope>(e: E): E =>
  e.metadata === undefined || Object.keys(e.metadata).length === 0 ? e : { ...e, metadata: {} };

export interface TeacherView<E extends Envelope> {
  /** Whether the key may read the teacher at all: a span at its units, a fact it recorded, or (never hired) it registered them. */
  readonly readable: boolean;
  /** The events it may read, in the stream's order (empty when not readable). */
  readonly events: readonly E[];
}

/**
 * What an integrator key of `units` may read of a teacher's stream
 * (docs/authority.md § A re-hire, and what a unit may read): the registration;
 * every event of the spans the teacher was employed at a unit the key writes
 * for (hire or transfer in, to leave or transfer out, in the stream's order;
 * the receiving end of a transfer also sees the hire the employment began with),
 * and what a key of those units recorded; degrees and certificates and their
 * revocations, whenever recorded (without their metadata); a retraction of
 * an event it sees. Other
 * units' spans stay out. A key that has no span, recorded nothing and did not
 * register the teacher reads nothing.
 */
export const teacherViewFor = <E extends Envelope>(
  units: readonly string[],
  mergedInto: (unitId: string) => string | undefined,
  history: readonly E[],
): TeacherView<E> => {
  const reaches = (unitId: string): boolean => writesFor(units, unitId, mergedInto);
  const recordedByKey = (e: E): boolean => {
    const as = e.metadata?.[SUBMITTED_AS];
    if (as === undefined) return false;
    const recorder = recorderOf(e.metadata);
    return recorder.role === 'integrator' && recorder.units.every(reaches);
  };
  const seen = new Set<string>();
  /** The events seen, by their index in the stream (kept in the stream's order). */
  const shown = new Map<number, E>();
  let readable = false;
  let current: string | undefined;
  /** The hire of the current employment, and its index. */
  let hire: { readonly e: E; readonly at: number } | undefined;
  let everHired = false;
  let registeredByKey = false;
  history.forEach((e, at) => {
    const own = recordedByKey(e);
    let inSpan = current !== undefined && reaches(current);
    let always = false;
    if (e.type === 'TeacherRegistered') {
      registeredByKey = own;
      always = true;
    } else if (e.type === 'TeacherHired') {
      current = e.data.unitId;
      hire = { e, at };
      everHired = true;
      inSpan = reaches(current);
    } else if (e.type === 'TeacherTransferred') {
      // Seen by both ends of the transfer; the receiving end also sees the hire it continues.
      if (!inSpan && reaches(e.data.toUnitId) && hire !== undefined && !seen.has(hire.e.id)) {
        shown.set(hire.at, withoutRecorder(hire.e));
        seen.add(hire.e.id);
      }
      inSpan = inSpan || reaches(e.data.toUnitId);
      current = e.data.toUnitId;
    } else if (e.type === 'TeacherLeft') {
      current = undefined;
      hire = undefined;
    } else if (e.type === 'EventRetracted') {
      // A retraction is of what it retracts: seen with it, and only with it.
      inSpan = false;
      always = seen.has(e.data.eventId);
    } else {
      always = QUALIFICATIONS.has(e.type);
    }
    if (inSpan || own) {
      readable = true;
      shown.set(at, e);
      seen.add(e.id);
    } else if (always) {
      // Seen for what it says, not for who sent it.
      shown.set(at, withoutRecorder(e));
      seen.add(e.id);
    }
  });
  const events = [...shown].sort(([a], [b]) => a - b).map(([, e]) => e);
  if (!everHired && registeredByKey) readable = true;
  return readable ? { readable, events } : { readable, events: [] };
};
