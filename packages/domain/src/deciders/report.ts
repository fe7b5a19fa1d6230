import type { Result } from '../errors.js';
import type { Envelope } from '../events/schemas.js';
import type { DecisionLookup } from './lookup.js';
import { accept, reject } from './reject.js';

export type ReportEnvelope = Extract<Envelope, { type: 'AnnualReportSubmitted' }>;

export interface ReportState {
  readonly kind: 'report';
  /** Submissions so far; a resubmission corrects the earlier one and is allowed. */
  readonly submissions: number;
}

export const initialReportState: ReportState = { kind: 'report', submissions: 0 };

export const evolveReport = (state: ReportState, _envelope: ReportEnvelope): ReportState => ({
  ...state,
  submissions: state.submissions + 1,
});

export const decideReport = (
  _state: ReportState,
  envelope: ReportEnvelope,
  lookup: DecisionLookup,
): Result<Envelope[]> => {
  const { unitId, values } = envelope.data;
  if (lookup.unit(unitId) === undefined) {
    return reject('unknown-unit', 'data.unitId', `unit ${unitId} is not registered: send UnitRegistered for ${unitId} first`);
  }
  const wrong = values.findIndex((v) => v.numerator > v.denominator);
  if (wrong !== -1) {
    return reject(
      'invalid-state',
      `data.values[${wrong}].numerator`,
      'must not exceed the denominator',
    );
  }
  return accept(envelope);
};
