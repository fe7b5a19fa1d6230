import type { Topic } from '../events/vocabulary.js';

/**
 * How one indicator of a plan is computed (docs/indicators.md § Indicators). A plan names its
 * indicators by code and gives each one of these rules; adding a plan is data.
 */
export type IndicatorRule =
  /** Permanent teachers holding a master's or doctorate on D. */
  | { readonly kind: 'master-or-above' }
  /** Permanent teachers at college-kind units meeting the qualification standard on D. */
  | {
      readonly kind: 'meets-standard';
      readonly standardVersion: string;
      readonly unitKind: 'college';
    }
  /** Permanent teachers with a completion of a programme on the topic, countFrom ≤ completedOn ≤ D. */
  | { readonly kind: 'trained'; readonly topic: Topic; readonly countFrom: string };

export interface IndicatorDefinition {
  readonly code: string;
  readonly rule: IndicatorRule;
}
