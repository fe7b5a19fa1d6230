import type { DomainErrorCode } from '../errors.js';
import type { Envelope, EventData, EventType } from '../events/schemas.js';
import { streamOf } from '../events/streams.js';
import { type StreamState, decide, evolve, initialStateFor } from './decide.js';
import type { DecisionLookup, UnitInfo } from './lookup.js';

/**
 * Given/when/then for the deciders (test support, not exported by the package):
 *
 *   given(registered, hired).when(leave).then();
 *   given(registered).when(leave).thenThrows('not-employed', 'is not employed');
 *
 * Every given event must itself be accepted by the decider, so a test can only
 * start from a history the system could have recorded. The lookup is built from
 * the given events, as an integrator builds it from the store.
 */
let counter = 0;
export const event = <T extends EventType>(type: T, data: EventData<T>): Envelope & { type: T } =>
  ({
    id: `00000000-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`,
    type,
    data,
  }) as Envelope & { type: T };

class World {
  private readonly states = new Map<string, StreamState>();
  private readonly histories = new Map<string, Envelope[]>();
  private readonly units = new Map<string, UnitInfo>();
  private readonly programmes = new Set<string>();

  readonly lookup: DecisionLookup = {
    unit: (unitId) => this.units.get(unitId),
    programmeExists: (programmeId) => this.programmes.has(programmeId),
    teacherHistory: (teacherId) => this.histories.get(`teacher-${teacherId}`) ?? [],
  };

  stateOf(e: Envelope): StreamState {
    return this.states.get(streamOf(e)) ?? initialStateFor(e);
  }

  decide(e: Envelope) {
    return decide(this.stateOf(e), e, this.lookup);
  }

  record(e: Envelope): void {
    const stream = streamOf(e);
    const history = this.histories.get(stream) ?? [];
    this.states.set(stream, evolve(this.stateOf(e), e, history));
    this.histories.set(stream, [...history, e]);
    if (e.type === 'UnitRegistered') this.units.set(e.data.unitId, {});
    if (e.type === 'UnitMerged') this.units.set(e.data.unitId, { mergedInto: e.data.intoUnitId });
    if (e.type === 'ProgrammeRegistered') this.programmes.add(e.data.programmeId);
  }
}

export const given = (...events: readonly Envelope[]) => {
  const world = new World();
  events.forEach((e, i) => {
    const r = world.decide(e);
    if (!r.ok) throw new Error(`given event #${i} (${e.type}) was refused: ${r.error.message}`);
    for (const accepted of r.value) world.record(accepted);
  });
  return {
    world,
    when: (envelope: Envelope) => ({
      /** Accepted, recording `expected` (by default the envelope itself). */
      then: (expected: readonly Envelope[] = [envelope]): void => {
        const r = world.decide(envelope);
        if (!r.ok)
          throw new Error(`expected ${envelope.type} to be accepted, got: ${r.error.message}`);
        expect(r.value).toEqual(expected);
      },
      /** Refused with `code`; the message contains `messagePart` when given. */
      thenThrows: (code: DomainErrorCode, messagePart?: string): void => {
        const r = world.decide(envelope);
        if (r.ok)
          throw new Error(`expected ${envelope.type} to be refused with ${code}, it was accepted`);
        expect(r.error.code).toBe(code);
        if (messagePart !== undefined) expect(r.error.message).toContain(messagePart);
        expect(r.error.issues.length).toBeGreaterThan(0);
      },
    }),
  };
};
