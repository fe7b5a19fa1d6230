import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import type { Envelope } from '@nhagiao/domain';
import type { StreamWrite } from '@nhagiao/eventstore/core';

/** One window of a check: its writes, and the last line whose events they hold. */
export interface DecidedWindow {
  readonly lastLine: number;
  readonly writes: readonly StreamWrite[];
  /** Read back: for each write, an upper bound of the bytes of its events' data and metadata. */
  readonly bytes?: readonly number[];
}

interface StoredWrite {
  readonly stream: string;
  /** `no-stream`, or the revision as a decimal string. */
  readonly expected: string;
  /** Length of the events as JSON, in UTF-16 units. */
  readonly chars: number;
  readonly events: readonly Envelope[];
}

const windowOf = (line: string): DecidedWindow => {
  const stored = JSON.parse(line) as { lastLine: number; writes: StoredWrite[] };
  return {
    lastLine: stored.lastLine,
    bytes: stored.writes.map((w) => w.chars * 3),
    writes: stored.writes.map((w) => ({
      stream: w.stream,
      events: w.events,
      expected: w.expected === 'no-stream' ? 'no-stream' : BigInt(w.expected),
      idsChecked: true,
    })),
  };
};

/**
 * The writes a check decided, window by window, kept in a file so that the
 * append that follows a clean check takes them as decided instead of deciding
 * every line again, and memory stays flat in the length of the file: one JSON
 * line per window, in the order the windows were decided. A window's writes
 * carry the expected revisions the check found, so a stream another writer
 * moves meanwhile makes its append fail rather than be written twice.
 */
export class DecidedWrites {
  readonly file: string;
  #fd: number | undefined;

  constructor(file: string) {
    this.file = file;
    this.#fd = openSync(file, 'w', 0o600);
  }

  /**
   * Writes a window. `json`: the JSON of each event's data and metadata (empty:
   * none), in the order of the window's events, where the caller has them made.
   */
  add(
    window: DecidedWindow,
    json?: readonly { readonly data: string; readonly metadata: string }[],
  ): void {
    if (this.#fd === undefined) throw new Error(`the decided writes in ${this.file} are closed`);
    let next = 0;
    const eventJson = (e: Envelope): string => {
      const made = json?.[next++];
      if (made === undefined) return JSON.stringify(e);
      const metadata = made.metadata === '' ? '' : `,"metadata":${made.metadata}`;
      return `{"id":${JSON.stringify(e.id)},"type":${JSON.stringify(e.type)},"data":${made.data}${metadata}}`;
    };
    const writes = window.writes.map((w) => {
      if (w.expected !== 'no-stream' && typeof w.expected !== 'bigint')
        throw new TypeError(`a decided write has a concrete expected revision (${w.stream})`);
      const events = `[${w.events.map(eventJson).join(',')}]`;
      // `chars` bounds the bytes of the events' data and metadata (at most 3 per UTF-16 unit).
      return `{"stream":${JSON.stringify(w.stream)},"expected":"${String(w.expected)}","chars":${events.length},"events":${events}}`;
    });
    writeSync(this.#fd, `{"lastLine":${window.lastLine},"writes":[${writes.join(',')}]}\n`);
  }

  /** Done writing; the file stays for `windows`. */
  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** The file is no longer needed. */
  remove(): void {
    this.close();
    rmSync(this.file, { force: true });
  }

  /** The windows in the order they were decided, one at a time. */
  static async *windows(file: string): AsyncGenerator<DecidedWindow> {
    // Lines cut at their newline bytes (never inside a UTF-8 character), each decoded once.
    let parts: Buffer[] = [];
    for await (const chunk of createReadStream(file, {
      highWaterMark: 1 << 20,
    }) as AsyncIterable<Buffer>) {
      let start = 0;
      for (let end = chunk.indexOf(10, start); end >= 0; end = chunk.indexOf(10, start)) {
        parts.push(chunk.subarray(start, end));
        const line = (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)).toString(
          'utf8',
        );
        parts = [];
        start = end + 1;
        if (line !== '') yield windowOf(line);
      }
      if (start < chunk.length) parts.push(chunk.subarray(start));
    }
    const last = Buffer.concat(parts).toString('utf8');
    if (last !== '') yield windowOf(last);
  }
}
