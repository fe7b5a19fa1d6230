/** One problem with one field of an input: `path` names the field (`data.hiredOn`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** Stable codes of the errors the domain raises; HTTP maps them to statuses in one place. */
export type DomainErrorCode =
  | 'invalid-envelope'
  | 'unknown-teacher'
  | 'unknown-unit'
  | 'unknown-programme'
  | 'already-exists'
  | 'not-employed'
  | 'already-employed'
  | 'date-backwards'
  | 'completion-without-enrolment'
  | 'not-found'
  | 'retraction-invalid'
  | 'id-conflict'
  | 'invalid-state'
  /** Outside the submitting key's authority (docs/authority.md). */
  | 'forbidden'
  /** A date outside the accepted window, an expiry before the issue, metadata too large. */
  | 'implausible'
  /** An annual report whose figures differ from the log's, or a field the server sets. */
  | 'report-mismatch';

/** A rejection a person can act on: which field, and why. The original error is kept as `cause`. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** A single-field rejection: `data.hiredOn: must not precede …`. */
  static field(code: DomainErrorCode, path: string, message: string): DomainError {
    return new DomainError(code, `${path}: ${message}`, [{ path, message }]);
  }
}

export type Result<T, E = DomainError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
