import { type Envelope, streamOf } from '@nhagiao/domain';
import type { StreamStateCache } from './stream-cache.js';
import type { InputItem } from './types.js';

/** A stream name made from a sent value's own fields, or undefined when it has none. */
const streamNamed = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, data } = value as { type?: unknown; data?: unknown };
  if (typeof type !== 'string' || typeof data !== 'object' || data === null) return undefined;
  const stream = streamOf({ type, data } as Envelope) as string | undefined;
  return stream !== undefined && stream.length <= 256 && !/-(undefined|null)(-|$)/.test(stream)
    ? stream
    : undefined;
};

/**
 * Reads the streams of the next chunk while this one is decided, on a store
 * whose reads go over the network (EventStoreDB), so that deciding seldom
 * waits. What it reads lands in the cache like any load, and a load of the
 * same stream meanwhile joins it; a decision only ever runs on a stream whose
 * read has finished. Failed reads are left to the load that needs them.
 */
export class ReadAhead {
  readonly #cache: StreamStateCache;
  readonly #running = new Set<Promise<unknown>>();

  constructor(cache: StreamStateCache) {
    this.#cache = cache;
  }

  start(chunk: readonly InputItem[]): void {
    const streams = new Set<string>();
    for (const item of chunk) {
      if (item.parseError !== undefined) continue;
      const stream = streamNamed(item.value);
      if (stream !== undefined && this.#cache.entryOf(stream) === undefined) streams.add(stream);
    }
    if (streams.size === 0) return;
    const reading: Promise<unknown> = this.#cache
      .loadAll(streams, READ_AHEAD)
      .catch(() => undefined)
      .finally(() => this.#running.delete(reading));
    this.#running.add(reading);
  }

  /** Every read started has ended: before the submission's states are committed or rolled back. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }
}

/** A stream with no events. */
export async function* noEvents(): AsyncGenerator<never> {}

/** Reads of the next chunk's streams at once. */
const READ_AHEAD = 16;
