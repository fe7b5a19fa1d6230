import type { FieldIssue } from '@nhagiao/domain';

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

/** Who submits: an API key's identity and, for an integrator, the units it may write about. */
export interface Actor {
  readonly id: string;
  readonly role: 'integrator' | 'reporter' | 'auditor' | 'admin';
  /** For an integrator: its units. Undefined means every unit (admin). */
  readonly units?: ReadonlySet<string>;
}

export interface IngestOptions {
  /** all-or-nothing (default): one rejected item and nothing is appended. partial: append the valid ones. */
  readonly mode?: 'all-or-nothing' | 'partial';
  readonly actor?: Actor;
  /** Added to every accepted envelope's metadata (e.g. `submittedBy`). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Name of the submission in messages and quarantine (`FILE`, `POST /v1/events`). */
  readonly source: string;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Called with each rejected or duplicate item as it is found (accepted ones are only in the report). */
  readonly onOutcome?: (outcome: ItemOutcome) => void;
  /** Keep every item's outcome in the report (default true). A large file import turns it off. */
  readonly keepOutcomes?: boolean;
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
      /** DomainErrorCode, or `forbidden` (outside the actor's units), `id-conflict`, `invalid-json`. */
      readonly code: string;
      readonly message: string;
      readonly issues: readonly FieldIssue[];
    }
  /** Valid, but not appended because another item of an all-or-nothing submission was rejected. */
  | { readonly line: number; readonly id: string; readonly status: 'not-appended' };

export interface IngestReport {
  readonly source: string;
  readonly appended: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly items: readonly ItemOutcome[];
  readonly durationMs: number;
}
