import type { RecordedEvent } from '@nhagiao/domain';

/** One row of `events` as read with safe integers (positions and revisions are bigint). */
export interface EventRow {
  readonly position: bigint;
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly recorded_at: string;
}

export const EVENT_COLUMNS = 'position, id, stream, revision, type, data, metadata, recorded_at';

/**
 * The store keeps what it was given: it does not re-validate `type` against the
 * contract on read (validation happens before append), hence the cast.
 */
export const toRecorded = (row: EventRow): RecordedEvent =>
  ({
    id: row.id,
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    recordedAt: row.recorded_at,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
  }) as RecordedEvent;
