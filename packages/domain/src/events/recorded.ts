import type { DomainEvent } from './schemas.js';

/**
 * An event as the store holds it. The store sets `position` (global, gap-free
 * order is not promised, only increasing), `revision` (0-based within the
 * stream) and `recordedAt` (transaction time, ISO-8601 UTC with milliseconds).
 */
export type RecordedEvent = DomainEvent & {
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly recordedAt: string;
  readonly metadata: Readonly<Record<string, string>>;
};
