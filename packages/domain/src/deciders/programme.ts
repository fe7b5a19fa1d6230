import { match } from 'ts-pattern';
import type { Result } from '../errors.js';
import type { Envelope } from '../events/schemas.js';
import type { EnvelopeOfKind } from '../events/streams.js';
import { accept, reject } from './reject.js';

export type ProgrammeEnvelope = EnvelopeOfKind<'programme'>;

export interface ProgrammeState {
  readonly kind: 'programme';
  readonly registered: boolean;
}

export const initialProgrammeState: ProgrammeState = { kind: 'programme', registered: false };

export const evolveProgramme = (
  state: ProgrammeState,
  envelope: ProgrammeEnvelope,
): ProgrammeState =>
  match(envelope)
    .with({ type: 'ProgrammeRegistered' }, () => ({ ...state, registered: true }))
    .with({ type: 'ProgrammeTopicsCorrected' }, () => state)
    .exhaustive();

export const decideProgramme = (
  state: ProgrammeState,
  envelope: ProgrammeEnvelope,
): Result<Envelope[]> => {
  const { programmeId } = envelope.data;
  return match(envelope)
    .with({ type: 'ProgrammeRegistered' }, (e) =>
      state.registered
        ? reject(
            'already-exists',
            'data.programmeId',
            `programme ${programmeId} is already registered`,
          )
        : accept(e),
    )
    .with({ type: 'ProgrammeTopicsCorrected' }, (e) =>
      state.registered
        ? accept(e)
        : reject(
            'unknown-programme',
            'data.programmeId',
            `programme ${programmeId} is not registered: send ProgrammeRegistered for ${programmeId} first`,
          ),
    )
    .exhaustive();
};
