import { match } from 'ts-pattern';
import type { Result } from '../errors.js';
import type { Envelope } from '../events/schemas.js';
import type { EnvelopeOfKind } from '../events/streams.js';
import type { DecisionLookup } from './lookup.js';
import { accept, reject } from './reject.js';

export type FundingEnvelope = EnvelopeOfKind<'funding'>;

export interface FundingState {
  readonly kind: 'funding';
  readonly funded: boolean;
}

export const initialFundingState: FundingState = { kind: 'funding', funded: false };

export const evolveFunding = (state: FundingState, envelope: FundingEnvelope): FundingState =>
  match(envelope)
    .with({ type: 'TrainingFunded' }, () => ({ ...state, funded: true }))
    .exhaustive();

/** A funding id names one grant for one registered programme; a second grant needs its own id. */
export const decideFunding = (
  state: FundingState,
  envelope: FundingEnvelope,
  lookup: DecisionLookup,
): Result<Envelope[]> =>
  match(envelope)
    .with({ type: 'TrainingFunded' }, (e) => decideGrant(state, e, lookup))
    .exhaustive();

const decideGrant = (
  state: FundingState,
  envelope: Extract<FundingEnvelope, { type: 'TrainingFunded' }>,
  lookup: DecisionLookup,
): Result<Envelope[]> => {
  const { fundingId, programmeId } = envelope.data;
  if (state.funded)
    return reject('already-exists', 'data.fundingId', `funding ${fundingId} is already recorded`);
  if (!lookup.programmeExists(programmeId)) {
    return reject(
      'unknown-programme',
      'data.programmeId',
      `programme ${programmeId} is not registered: send ProgrammeRegistered for ${programmeId} first`,
    );
  }
  return accept(envelope);
};
