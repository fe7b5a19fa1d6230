import type { FieldIssue, Role } from '@nhagiao/domain';

/** One input item: its place in the submission (1-based line or array index) and the parsed JSON. */
export interface InputItem {
  readonly line: number;
  /** The parsed JSON value, or the text when it is not valid JSON. */
  readonly value: unknown;
  /** Set when the line is not valid JSON: why. */
  readonly parseError?: string;
}

/**
 * A source of items that can also hand them over many at a time (`ndjsonItems`):
 * the ingestor then waits once per chunk instead of once per item.
 */
export interface ChunkedItems extends AsyncIterable<InputItem> {
  chunks(): AsyncIterable<readonly InputItem[]>;
}

export const isChunked = (items: unknown): items is ChunkedItems =>
  typeof items === 'object' &&
  items !== null &&
  typeof (items as { chunks?: unknown }).chunks === 'function';

/**
 * Who submits: an API key's identity, role and, for an integrator, its units.
 * What it may assert is decided by the authority table of @nhagiao/domain
 * (`AUTHORITY`, docs/authority.md); no actor is the operator, who may assert
 * everything.
 */
export interface Actor {
  readonly id: string;
  readonly role: Role;
  /** For an integrator: its units. */
  readonly units?: ReadonlySet<string>;
}

/** One figure of an annual report. */
export interface ReportValue {
  readonly indicator: string;
  readonly numerator: number;
  readonly denominator: number;
}

/**
 * How the write side computes an annual report's figures: the plan's
 * indicators for a unit as of `asOf`, from the log as committed before the
 * submission (what `nhagiao verify` recomputes at the report's position − 1).
 */
export interface AnnualReportValues {
  values(unitId: string, asOf: string): Promise<readonly ReportValue[]>;
  /**
   * Why a sign-off's `checkpoint` is not one the log had (undefined: it is).
   * Without it a checkpoint is taken as sent (the operator's `report submit`
   * signs its own).
   */
  checkpointIssue?(checkpoint: string): string | undefined | Promise<string | undefined>;
}

export interface IngestOptions {
  /** all-or-nothing (default): one rejected item and nothing is appended. partial: append the valid ones. */
  readonly mode?: 'all-or-nothing' | 'partial';
  readonly actor?: Actor;
  /**
   * Added to every accepted envelope's metadata. With an actor, the ingestor
   * itself records `submittedBy` (the key id) and `submittedAs` (its authority).
   */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Computes annual reports: with it, an AnnualReportSubmitted is a sign-off
   * (unit, year, asOf, who, note) whose figures and submission day the
   * ingestor sets; figures sent must equal the computed ones. A key's report
   * is refused without it. Without it and without an actor (the operator
   * restoring a log), a report is taken as sent.
   */
  readonly annualReports?: AnnualReportValues;
  /** Name of the submission in messages and quarantine (`FILE`, `POST /v1/events`). */
  readonly source: string;
  readonly onProgress?: (progress: IngestProgress) => void;
  /**
   * Called on a store without transactions in partial mode once a window is
   * stored, with the last line whose events are all stored: a journal's mark.
   */
  readonly onStored?: (line: number) => void;
  /** Called with each rejected or duplicate item as it is found (accepted ones are only in the report). */
  readonly onOutcome?: (outcome: ItemOutcome) => void;
  /**
   * Decide every item and append nothing (the report's `checked` counts what
   * would be appended): the first pass of a large import on a store without
   * transactions, so that a rejected line leaves the store untouched.
   */
  readonly check?: boolean;
  /**
   * With `check`: a file the check creates and writes the writes it decided
   * to, window by window, for `Ingestor.appendDecided` to append without
   * deciding again. Removed when the check rejects anything or fails.
   */
  readonly decided?: string;
  /**
   * On a store without transactions: every stream the store holds, where the
   * caller has them (`storeStreams`, before a large import into a small store).
   * A stream not named is taken as empty without reading it; what is decided
   * on it is appended expecting `no-stream`, so a stream another writer creates
   * meanwhile is caught there.
   */
  readonly knownStreams?: ReadonlySet<string>;
  /** Keep every item's outcome in the report (default true). A large file import turns it off. */
  readonly keepOutcomes?: boolean;
  readonly signal?: AbortSignal;
}

/** What `Ingestor.appendDecided` did. */
export interface DecidedAppended {
  /** Events stored, each write counted once it is answered. */
  readonly appended: number;
  /**
   * Why it stopped before the end (a stream another writer moved since the
   * check, the store gone mid-way): decide the rest of the file again.
   */
  readonly stopped?: Error;
}

/** How `Ingestor.appendDecided` appends a clean check's writes. */
export interface AppendDecidedOptions {
  /** Called once a window is stored, with the last line whose events are all stored: a journal's mark. */
  readonly onStored?: (line: number) => void;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Writes sent before the first answer is awaited, where the store takes them so (default 64). */
  readonly inFlight?: number;
  readonly signal?: AbortSignal;
}

export interface IngestProgress {
  readonly phase: 'validate' | 'append';
  readonly done: number;
}

export type ItemOutcome =
  | {
      readonly line: number;
      readonly id: string;
      readonly status: 'accepted';
      readonly stream: string;
      readonly position: bigint;
      readonly revision: bigint;
    }
  | {
      readonly line: number;
      readonly id: string;
      readonly status: 'duplicate';
      readonly stream: string;
      /** Where the event is stored; absent when its first copy is earlier in the same submission. */
      readonly position?: bigint;
      readonly revision?: bigint;
    }
  | {
      readonly line: number;
      readonly id?: string;
      readonly status: 'rejected';
      /** DomainErrorCode (`forbidden`: outside the actor's authority), `id-conflict`, `invalid-json`, `store-unavailable`. */
      readonly code: string;
      readonly message: string;
      readonly issues: readonly FieldIssue[];
    }
  /** Valid, but not appended because another item of an all-or-nothing submission was rejected. */
  | { readonly line: number; readonly id: string; readonly status: 'not-appended' };

export interface IngestReport {
  readonly source: string;
  readonly appended: number;
  /** A check's count of events it would append. */
  readonly checked?: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly items: readonly ItemOutcome[];
  readonly durationMs: number;
}
