import { match } from 'ts-pattern';
import type { Result } from '../errors.js';
import type { Envelope } from '../events/schemas.js';
import type { EnvelopeOfKind } from '../events/streams.js';
import type { DecisionLookup } from './lookup.js';
import { accept, reject } from './reject.js';

export type UnitEnvelope = EnvelopeOfKind<'unit'>;

export interface UnitState {
  readonly kind: 'unit';
  readonly registered: boolean;
  readonly mergedInto: string | undefined;
  /** The merge's effective date, when merged. */
  readonly mergedOn?: string | undefined;
}

export const initialUnitState: UnitState = {
  kind: 'unit',
  registered: false,
  mergedInto: undefined,
};

export const evolveUnit = (state: UnitState, envelope: UnitEnvelope): UnitState =>
  match(envelope)
    .with({ type: 'UnitRegistered' }, () => ({ ...state, registered: true }))
    .with({ type: 'UnitRenamed' }, { type: 'UnitAreaChanged' }, () => state)
    .with({ type: 'UnitMerged' }, (e) => ({
      ...state,
      mergedInto: e.data.intoUnitId,
      mergedOn: e.data.effectiveOn,
    }))
    .exhaustive();

/**
 * A unit is merged at most once, into another registered unit, and never so that
 * following merges leads back to it (whatever the merges' dates: a cycle would
 * leave a teacher's unit undefined).
 */
export const decideUnit = (
  state: UnitState,
  envelope: UnitEnvelope,
  lookup: DecisionLookup,
): Result<Envelope[]> => {
  const { unitId } = envelope.data;
  if (envelope.type !== 'UnitRegistered' && !state.registered) {
    return reject('unknown-unit', 'data.unitId', `unit ${unitId} is not registered: send UnitRegistered for ${unitId} first`);
  }
  return match(envelope)
    .with({ type: 'UnitRegistered' }, (e) =>
      state.registered
        ? reject('already-exists', 'data.unitId', `unit ${unitId} is already registered`)
        : accept(e),
    )
    .with({ type: 'UnitRenamed' }, { type: 'UnitAreaChanged' }, (e) => accept(e))
    .with({ type: 'UnitMerged' }, (e) => {
      const { intoUnitId } = e.data;
      if (intoUnitId === unitId) {
        return reject(
          'invalid-state',
          'data.intoUnitId',
          `a unit cannot be merged into itself (${unitId})`,
        );
      }
      if (state.mergedInto !== undefined) {
        return reject(
          'invalid-state',
          'data.unitId',
          `unit ${unitId} is already merged into ${state.mergedInto}`,
        );
      }
      if (lookup.unit(intoUnitId) === undefined) {
        return reject('unknown-unit', 'data.intoUnitId', `unit ${intoUnitId} is not registered: send UnitRegistered for ${intoUnitId} first`);
      }
      const chain = [unitId, intoUnitId];
      for (
        let next = lookup.unit(intoUnitId)?.mergedInto;
        next !== undefined;
        next = lookup.unit(next)?.mergedInto
      ) {
        chain.push(next);
        if (next === unitId) {
          return reject(
            'invalid-state',
            'data.intoUnitId',
            `would make a cycle of merges: ${chain.join(' → ')}`,
          );
        }
        // The lookup may hold a cycle made before this rule existed; stop rather than loop.
        if (chain.length > 1000) break;
      }
      return accept(e);
    })
    .exhaustive();
};
