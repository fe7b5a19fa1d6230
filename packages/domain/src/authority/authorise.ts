import type { FieldIssue } from '../errors.js';
import type { Envelope } from '../events/schemas.js';
import type { TeacherDecisionState } from '../deciders/teacher-state.js';
import { AUTHORITY, CANCELS, ROLE_WRITES, type Role, SUBMITTED_AS } from './table.js';

/** Who submits: an API key. The operator (a command run on the data directory) is no principal: it has every authority. */
export interface Principal {
  readonly keyId: string;
  readonly role: Role;
  /** An integrator's units (empty for other roles). */
  readonly units: readonly string[];
}

/** Where a teacher works, as recorded when the event is decided. */
export interface TeacherPlace {
  /** The unit of the current employment; undefined when not employed now. */
  readonly employedAt: string | undefined;
  /** The unit of the latest employment, ended or not; undefined when never hired. */
  readonly lastUnit: string | undefined;
  /** `submittedAs` of the teacher's registration; undefined: the Sở (or the operator). */
  readonly registeredAs?: string | undefined;
  /** The integrator authorities that recorded facts about the teacher before any hire (`recordedBeforeHire`). */
  readonly recordedBeforeHire?: readonly string[];
}

/** Where a teacher works and who owns them before a hire, from the decision state of their stream. */
export const teacherPlace = (state: TeacherDecisionState): TeacherPlace => ({
  employedAt: state.job?.unitId,
  lastUnit: state.lastUnitId,
  registeredAs: state.registeredAs,
  recordedBeforeHire: state.recordedBeforeHire ?? [],
});

/** What the log says that an authority decision needs. Read from the log, never from a cache that may lack it. */
export interface AuthorityFacts {
  /** The unit `unitId` was merged into (whatever the merge's date), or undefined. */
  mergedInto(unitId: string): string | undefined;
  /** The effective date of the merge of `unitId`, when merged (for the message to a merged-away unit's key). */
  mergedOn?(unitId: string): string | undefined;
  /** For a teacher event: where the teacher works. */
  readonly teacher?: TeacherPlace;
  /**
   * For an EventRetracted: the metadata of the event it retracts; undefined when
   * there is no such event of that teacher (the decider then refuses it).
   */
  readonly retracted?: Readonly<Record<string, string>>;
  /**
   * For a revocation or withdrawal (`CANCELS`): the metadata of the fact it
   * cancels; undefined when there is no such fact (the decider then decides).
   */
  readonly cancelled?: Readonly<Record<string, string>>;
}

/**
 * The fact a revocation or withdrawal cancels, in the teacher's history: the
 * latest not retracted of its kind with the same id (`CANCELS`); undefined for
 * other events, or when there is none.
 */
export const cancelledFact = (
  envelope: Envelope,
  history: readonly Envelope[],
): Envelope | undefined => {
  const cancels = CANCELS[envelope.type];
  if (cancels === undefined) return undefined;
  const value = (envelope.data as Record<string, unknown>)[cancels.key];
  const retracted = new Set(
    history.flatMap((e) => (e.type === 'EventRetracted' ? [e.data.eventId] : [])),
  );
  for (let i = history.length - 1; i >= 0; i--) {
    const e = history[i] as Envelope;
    if (
      e.type === cancels.fact &&
      (e.data as Record<string, unknown>)[cancels.key] === value &&
      !retracted.has(e.id)
    )
      return e;
  }
  return undefined;
};

/** `submittedAs` of an event recorded for this principal. */
export const submittedAs = (principal: Principal): string =>
  principal.role === 'integrator'
    ? `integrator:${[...new Set(principal.units)].sort().join(',')}`
    : principal.role;

/**
 * Who recorded an event, from its metadata: an integrator's units, or the Sở.
 * An event without `submittedAs` (recorded by the operator, or before keys were
 * recorded with events) counts as the Sở's: only the Sở may retract it.
 */
export const recorderOf = (
  metadata: Readonly<Record<string, string>> | undefined,
): { readonly role: 'so' } | { readonly role: 'integrator'; readonly units: readonly string[] } => {
  const as = metadata?.[SUBMITTED_AS];
  if (as?.startsWith('integrator:')) {
    const units = as
      .slice('integrator:'.length)
      .split(',')
      .filter((u) => u !== '');
    if (units.length > 0) return { role: 'integrator', units };
  }
  return { role: 'so' };
};

/**
 * Whether a key of `units` writes for `unitId`: the unit is one of them, or
 * was merged (through any chain of merges) into one of them.
 */
export const writesFor = (
  units: readonly string[],
  unitId: string,
  mergedInto: (unitId: string) => string | undefined,
): boolean => {
  // A key has a unit or a few, and merges are rare: plain lists, no sets to build per event.
  const seen: string[] = [];
  for (
    let u: string | undefined = unitId;
    u !== undefined && !seen.includes(u);
    u = mergedInto(u)
  ) {
    if (units.includes(u)) return true;
    seen.push(u);
  }
  return false;
};

const issue = (path: string, message: string): FieldIssue => ({ path, message });

/**
 * Decides whether `principal` may assert `envelope`, by the table `AUTHORITY`
 * and nothing else. Undefined: allowed; otherwise the field at fault and why,
 * naming only what the key sent or may see (never another unit's teachers).
 * `principal` undefined is the operator, who may assert everything.
 */
export const authorise = (
  principal: Principal | undefined,
  envelope: Envelope,
  facts: AuthorityFacts,
): FieldIssue | undefined => {
  if (principal === undefined) return undefined;
  const writes = ROLE_WRITES[principal.role];
  if (writes === 'all') return undefined;
  if (writes === 'none')
    return issue(
      'type',
      `a ${principal.role} key reads only and records no event; send it with an integrator key of the unit concerned, or ask the Sở`,
    );
  const units = principal.units;
  const keyUnits = units.join(', ');
  // A merged-away unit's key records nothing more: its teachers are the surviving unit's.
  for (const unit of units) {
    const into = facts.mergedInto(unit);
    if (into === undefined) continue;
    const on = facts.mergedOn?.(unit);
    return issue(
      'key',
      `unit ${unit} of this key was merged into ${into}${on === undefined ? '' : ` on ${on}`}: a key of a merged-away unit records nothing more; ask the Sở for a key of ${into}`,
    );
  }
  const reaches = (unitId: string): boolean => writesFor(units, unitId, facts.mergedInto);
  /** Whether the key has authority over a recorder (`submittedAs`); the Sở's (undefined) it has not. */
  const over = (as: string | undefined): boolean => {
    const recorder = recorderOf(as === undefined ? undefined : { [SUBMITTED_AS]: as });
    return recorder.role === 'integrator' && recorder.units.every(reaches);
  };
  const data = envelope.data as Record<string, unknown>;
  const teacherId = String(data.teacherId);
  const notOurTeacher = issue(
    'data.teacherId',
    `teacher ${teacherId} does not work at a unit this key writes for (${keyUnits}); only the unit that employs a teacher, or the Sở, records facts about them`,
  );
  const notRegisteredByUs = issue(
    'data.teacherId',
    `teacher ${teacherId} is neither employed at a unit this key writes for nor registered by a key of its units (${keyUnits}); before any hire, only whoever registered a teacher, or the Sở, records facts about them (a new teacher: send TeacherRegistered first)`,
  );
  /** Authority over the teacher: their unit of record, or, never hired, whoever registered them. */
  const employerRefuses = (): FieldIssue | undefined => {
    if (facts.teacher === undefined) return undefined; // not registered: the domain rules refuse
    const unit = facts.teacher.employedAt ?? facts.teacher.lastUnit;
    if (unit !== undefined) return reaches(unit) ? undefined : notOurTeacher;
    // Never hired: the teacher belongs to whoever registered them.
    return over(facts.teacher.registeredAs) ? undefined : notRegisteredByUs;
  };
  /** Authority over whoever recorded an event (`metadata`), as for a retraction; undefined: none recorded. */
  const recordedWithin = (
    metadata: Readonly<Record<string, string>> | undefined,
    path: string,
    what: string,
    verb: string,
  ): FieldIssue | undefined => {
    if (metadata === undefined) return undefined;
    const recorder = recorderOf(metadata);
    if (recorder.role === 'so')
      return issue(path, `${what} was recorded by the Sở: only the Sở ${verb}; ask the Sở`);
    if (!recorder.units.every(reaches))
      return issue(
        path,
        `${what} was recorded by a key with authority beyond this key's units (${keyUnits}); only that key, a key of the same units, or the Sở ${verb}`,
      );
    return undefined;
  };
  const rule = AUTHORITY[envelope.type];
  switch (rule) {
    case 'so':
      return issue(
        'type',
        `${envelope.type} is reference data that moves several units' figures: only the Sở (an admin key) records it; ask the Sở to record it`,
      );
    case 'anyone':
      return undefined;
    case 'employer':
      return employerRefuses();
    case 'hiring-unit': {
      const unitId = String(data.unitId);
      if (!reaches(unitId))
        return issue(
          'data.unitId',
          `unit ${unitId} is not one of this key's units (${keyUnits}); a key hires only into its own units`,
        );
      const now = facts.teacher?.employedAt;
      if (now !== undefined && !reaches(now))
        return issue(
          'data.teacherId',
          `teacher ${teacherId} is employed at a unit this key does not write for; that unit records TeacherLeft first, or the Sở records a transfer`,
        );
      // Never hired: facts another unit recorded about them would count for this unit once hired.
      if (facts.teacher !== undefined && facts.teacher.lastUnit === undefined) {
        const foreign = (facts.teacher.recordedBeforeHire ?? []).some((as) => !over(as));
        if (foreign)
          return issue(
            'data.teacherId',
            `teacher ${teacherId} was registered, or has facts recorded before any hire, by a key with authority beyond this key's units (${keyUnits}); that authority hires them, or the Sở (which may first retract those facts)`,
          );
      }
      return undefined;
    }
    case 'both-units': {
      const refused = employerRefuses();
      if (refused !== undefined) return refused;
      const to = String(data.toUnitId);
      if (!reaches(to))
        return issue(
          'data.toUnitId',
          `unit ${to} is not one of this key's units (${keyUnits}); a transfer moves figures of both units, so it is recorded by a key of both or by the Sở — or the sending unit records TeacherLeft and the receiving unit TeacherHired`,
        );
      return undefined;
    }
    case 'report-unit': {
      const unitId = String(data.unitId);
      return reaches(unitId)
        ? undefined
        : issue(
            'data.unitId',
            `unit ${unitId} is not one of this key's units (${keyUnits}); a unit signs off only its own annual report`,
          );
    }
    case 'retraction': {
      const refused = employerRefuses();
      if (refused !== undefined) return refused;
      return recordedWithin(facts.retracted, 'data.eventId', String(data.eventId), 'retracts it');
    }
    case 'cancellation': {
      // Whoever recorded the fact cancels it, even after the teacher moved on; no such fact: the employer.
      if (facts.cancelled === undefined) return employerRefuses();
      const cancels = CANCELS[envelope.type];
      if (cancels === undefined) return undefined;
      return recordedWithin(
        facts.cancelled,
        `data.${cancels.key}`,
        `the ${cancels.fact} of ${String(data[cancels.key])}`,
        'cancels it',
      );
    }
  }
};
