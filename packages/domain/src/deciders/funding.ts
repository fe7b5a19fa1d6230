import type { Result } from '../errors.js';
import type { Envelope } from '../events/schemas.js';
import type { DecisionLookup } from './lookup.js';
import { accept, reject } from './reject.js';

export type FundingEnvelope = Extract<Envelope, { type: 'TrainingFunded' }>;

export interface FundingState {
  readonly kind: 'funding';
  readonly funded: boolean;
}

export const initialFundingState: FundingState = { kind: 'funding', funded: false };

export const evolveFunding = (state: FundingState, _envelope: FundingEnvelope): FundingState => ({
  ...state,
  funded: true,
});

/** A funding id names one grant for one registered programme; a second grant needs its own id. */
export const decideFunding = (
  state: FundingState,
  envelope: FundingEnvelope,
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
