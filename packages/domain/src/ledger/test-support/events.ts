import type { RecordedEvent } from '../../events/recorded.js';
import type { EventData, EventType } from '../../events/schemas.js';
import { streamOf } from '../../events/streams.js';
import type { IndicatorDefinition } from '../../indicators/rule.js';

/** The six indicators of plan 423 (docs/indicators.md § Plan 423 and its targets), as tests need them. */
export const PLAN_423: readonly IndicatorDefinition[] = [
  { code: 'master-or-above', rule: { kind: 'master-or-above' } },
  {
    code: 'college-lecturers-qualified',
    rule: { kind: 'meets-standard', standardVersion: '05/2024', unitKind: 'college' },
  },
  {
    code: 'trained-curriculum-outcomes',
    rule: { kind: 'trained', topic: 'curriculum-outcomes', countFrom: '2024-01-01' },
  },
  {
    code: 'trained-quality-accreditation',
    rule: { kind: 'trained', topic: 'quality-accreditation', countFrom: '2024-01-01' },
  },
  {
    code: 'trained-digital-materials',
    rule: { kind: 'trained', topic: 'digital-materials', countFrom: '2024-01-01' },
  },
  {
    code: 'trained-digital-transformation',
    rule: { kind: 'trained', topic: 'digital-transformation', countFrom: '2024-01-01' },
  },
];

const uuidOf = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * Records events the way the store would: increasing positions, per-stream
 * revisions, deterministic ids (`eventId(n)` is the n-th event, from 1).
 */
export const recorder = () => {
  let position = 0n;
  const revisions = new Map<string, bigint>();
  return <T extends EventType>(type: T, data: EventData<T>, id?: string): RecordedEvent => {
    position += 1n;
    const event = { type, data } as RecordedEvent;
    const stream = streamOf(event);
    const revision = revisions.get(stream) ?? 0n;
    revisions.set(stream, revision + 1n);
    return {
      ...event,
      id: id ?? uuidOf(Number(position)),
      stream,
      revision,
      position,
      recordedAt: '2025-01-01T00:00:00.000Z',
      metadata: {},
    } as RecordedEvent;
  };
};

export const eventId = uuidOf;
