import type { EmploymentSegment } from '../facts/employment.js';
import { emptyFacts } from '../facts/fold.js';
import { type HeldStep, heldTimeline } from '../facts/held.js';
import type { TeacherFacts } from '../facts/types.js';
import type { ContributionInput, TopicsLookup } from '../indicators/contribution.js';

/**
 * The `ContributionInput` the projection hands its indicators, one object reset
 * for each event rather than a new object and `held` closure per event (under
 * tsx every closure is also wrapped by `__name`). `held` is a prototype method,
 * computed at most once per reset, as `contributionInput` does.
 */
export class RecomputeInput implements ContributionInput {
  facts: TeacherFacts = emptyFacts('');
  segments: readonly EmploymentSegment[] = [];
  private heldSteps: HeldStep[] | undefined;

  constructor(readonly topicsOf: TopicsLookup) {}

  reset(facts: TeacherFacts, segments: readonly EmploymentSegment[]): void {
    this.facts = facts;
    this.segments = segments;
    this.heldSteps = undefined;
  }

  held(): readonly HeldStep[] {
    return (this.heldSteps ??= heldTimeline(this.facts));
  }
}
