import { type UnitTimeline, unitTimelineFrom } from '@nhagiao/domain';
import type { Kysely } from 'kysely';
import { type Head, readHead } from './head.js';
import { big } from './rows.js';
import type { Database } from './schema.js';
import type { UnitEventRecord } from './types.js';

/**
 * The units' events, read once and again only when the head shows new ones,
 * and the unit timelines built from them per known-at position (the last 64).
 */
export class UnitTimelines {
  private held:
    { head: Head; events: UnitEventRecord[]; timelines: Map<string, UnitTimeline> } | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  /** Drops what is held (the tables were recreated by this handle). */
  forget(): void {
    this.held = undefined;
  }

  async events(known?: Head): Promise<{
    events: UnitEventRecord[];
    timelines: Map<string, UnitTimeline>;
  }> {
    const head = known ?? (await readHead(this.db));
    const c = this.held;
    if (c !== undefined && c.head.epoch === head.epoch && c.head.unitMax === head.unitMax) return c;
    const rows = await this.db
      .selectFrom('unit_events')
      .select(['position', 'recorded_at', 'event_id', 'type', 'data'])
      .orderBy('position')
      .execute();
    const events = rows.map(
      (r) =>
        ({
          type: r.type,
          data: JSON.parse(r.data) as unknown,
          id: r.event_id,
          position: big(r.position),
          recordedAt: r.recorded_at,
        }) as UnitEventRecord, // written by applyBatch from a UnitEventRecord of this type
    );
    this.held = { head, events, timelines: new Map() };
    return this.held;
  }

  async timeline(knownAt: bigint | undefined, head?: Head): Promise<UnitTimeline> {
    const { events, timelines } = await this.events(head);
    const key = knownAt === undefined ? 'now' : String(knownAt);
    let timeline = timelines.get(key);
    if (timeline === undefined) {
      timeline = unitTimelineFrom(
        knownAt === undefined ? events : events.filter((e) => e.position <= knownAt),
      );
      if (timelines.size > 64) timelines.clear();
      timelines.set(key, timeline);
    }
    return timeline;
  }
}
