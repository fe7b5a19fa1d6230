import { match } from 'ts-pattern';
import type { Result } from '../errors.js';
import type { Envelope } from '../events/schemas.js';
import type { EnvelopeOfKind } from '../events/streams.js';
import { plans } from '../plans/registry.js';
import type { DecisionLookup } from './lookup.js';
import { accept, reject } from './reject.js';

export type ReportEnvelope = EnvelopeOfKind<'report'>;

export interface ReportState {
  readonly kind: 'report';
  /** Submissions so far; a resubmission corrects the earlier one and is allowed. */
  readonly submissions: number;
}

export const initialReportState: ReportState = { kind: 'report', submissions: 0 };

export const evolveReport = (state: ReportState, envelope: ReportEnvelope): ReportState =>
  match(envelope)
    .with({ type: 'AnnualReportSubmitted' }, () => ({
      ...state,
      submissions: state.submissions + 1,
    }))
    .exhaustive();

export const decideReport = (
  state: ReportState,
  envelope: ReportEnvelope,
  lookup: DecisionLookup,
): Result<Envelope[]> =>
  match(envelope)
    .with({ type: 'AnnualReportSubmitted' }, (e) => decideSubmission(state, e, lookup))
    .exhaustive();

const decideSubmission = (
  _state: ReportState,
  envelope: Extract<ReportEnvelope, { type: 'AnnualReportSubmitted' }>,
  lookup: DecisionLookup,
): Result<Envelope[]> => {
  const { unitId, values, year, asOf } = envelope.data;
  if (lookup.unit(unitId) === undefined) {
    return reject('unknown-unit', 'data.unitId', `unit ${unitId} is not registered: send UnitRegistered for ${unitId} first`);
  }
  // A report of a year is of that year's roll: asOf lies within it (docs/authority.md § Annual reports).
  if (!asOf.startsWith(`${year}-`)) {
    return reject(
      'invalid-state',
      'data.asOf',
      `${asOf} is not in ${year}, the report's year: a report of ${year} is as of a day of ${year} (by default ${year}-06-30); leave asOf out or give a day of ${year}`,
    );
  }
  const codes = new Set([...plans.values()].flatMap((p) => p.indicators.map((i) => i.code)));
  const unknown = values.findIndex((v) => !codes.has(v.indicator));
  if (unknown !== -1) {
    return reject(
      'invalid-state',
      `data.values[${unknown}].indicator`,
      `${values[unknown]?.indicator} is not an indicator of a plan (${[...codes].join(', ')})`,
    );
  }
  const twice = values.findIndex((v, i) => values.findIndex((w) => w.indicator === v.indicator) !== i);
  if (twice !== -1) {
    return reject(
      'invalid-state',
      `data.values[${twice}].indicator`,
      `${values[twice]?.indicator} is named twice; name each indicator once`,
    );
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
