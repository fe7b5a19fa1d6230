/**
 * The double's storage: one in-memory transaction log holding every stream,
 * with the semantics EventStoreDB documents for appends (expected revision,
 * 0-based stream revisions, idempotent re-appends) and for `$all` positions.
 */

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export interface LoggedEvent extends ProposedEvent {
  readonly stream: string;
  readonly revision: bigint;
  /** Commit and prepare position: one event per log record, so they are equal, as for a single-event write. */
  readonly position: bigint;
  /** .NET ticks (100 ns) since the Unix epoch, as the server's `created` metadata carries them. */
  readonly created: string;
}

export type Expected =
  | { readonly kind: 'any' }
  | { readonly kind: 'no-stream' }
  | { readonly kind: 'exists' }
  | { readonly kind: 'revision'; readonly revision: bigint };

export type AppendOutcome =
  | {
      readonly ok: true;
      /** Revision of the stream's last event, or null when the stream is still empty. */
      readonly currentRevision: bigint | null;
      readonly position: bigint | null;
    }
  | { readonly ok: false; readonly currentRevision: bigint | null };

const TICKS_PER_MS = 10_000n;

/**
 * The log record header, roughly what a real prepare record costs around its
 * payload: positions are byte offsets of a growing file, hence sparse.
 */
const RECORD_OVERHEAD = 87n;

export class DoubleLog {
  private readonly all: LoggedEvent[] = [];
  private readonly streams = new Map<string, LoggedEvent[]>();
  private readonly listeners = new Set<(event: LoggedEvent) => void>();
  private nextPosition: bigint;
  private lastTicks = 0n;

  constructor(startPosition: bigint) {
    this.nextPosition = startPosition;
  }

  get events(): readonly LoggedEvent[] {
    return this.all;
  }

  /** Index in `events` of the first event at or after (`inclusive`) or strictly after a position. */
  indexFrom(position: bigint, inclusive: boolean): number {
    let lo = 0;
    let hi = this.all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = (this.all[mid] as LoggedEvent).position;
      if (p < position || (!inclusive && p === position)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Whether a `$all` read may start here: where a record starts, the start (0)
   * or the end of the log. Positions before the first event the double wrote
   * are taken as the server's own records.
   */
  isRecordStart(position: bigint): boolean {
    const first = this.all[0]?.position;
    if (first === undefined || position <= first || position >= this.nextPosition) return true;
    return this.all[this.indexFrom(position, true)]?.position === position;
  }

  stream(name: string): readonly LoggedEvent[] | undefined {
    return this.streams.get(name);
  }

  /** Called synchronously for each event as it is written, in log order. */
  onAppend(listener: (event: LoggedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(stream: string, expected: Expected, proposed: readonly ProposedEvent[]): AppendOutcome {
    const existing = this.streams.get(stream) ?? [];
    const current = existing.length === 0 ? null : BigInt(existing.length - 1);
    const replay = this.idempotentReplay(existing, expected, proposed);
    if (replay) return replay;
    const fits =
      expected.kind === 'any' ||
      (expected.kind === 'no-stream' && current === null) ||
      (expected.kind === 'exists' && current !== null) ||
      (expected.kind === 'revision' && current === expected.revision);
    if (!fits) return { ok: false, currentRevision: current };
    if (proposed.length === 0) {
      return { ok: true, currentRevision: current, position: existing.at(-1)?.position ?? null };
    }
    const events = this.streams.get(stream) ?? [];
    this.streams.set(stream, events);
    let last: LoggedEvent | undefined;
    for (const p of proposed) {
      const event: LoggedEvent = {
        ...p,
        stream,
        revision: BigInt(events.length),
        position: this.nextPosition,
        created: this.createdTicks(),
      };
      this.nextPosition +=
        RECORD_OVERHEAD +
        BigInt(Buffer.byteLength(stream) + p.type.length + p.data.length + p.customMetadata.length);
      events.push(event);
      this.all.push(event);
      last = event;
    }
    for (const event of this.all.slice(-proposed.length)) {
      for (const listener of [...this.listeners]) listener(event);
    }
    return { ok: true, currentRevision: last?.revision ?? null, position: last?.position ?? null };
  }

  /**
   * EventStoreDB's own idempotency: the same event ids written again at the
   * place they were first written (or with `any`) succeed without writing.
   */
  private idempotentReplay(
    existing: readonly LoggedEvent[],
    expected: Expected,
    proposed: readonly ProposedEvent[],
  ): AppendOutcome | undefined {
    const first = proposed[0];
    if (!first) return undefined;
    let start: number;
    if (expected.kind === 'revision') start = Number(expected.revision) + 1;
    else if (expected.kind === 'no-stream') start = 0;
    else if (expected.kind === 'any') start = existing.findIndex((e) => e.id === first.id);
    else return undefined;
    if (start < 0 || start + proposed.length > existing.length) return undefined;
    const same = proposed.every((p, i) => existing[start + i]?.id === p.id);
    if (!same) return undefined;
    const last = existing[start + proposed.length - 1];
    return last ? { ok: true, currentRevision: last.revision, position: last.position } : undefined;
  }

  private clockOffsetMs = 0n;

  /**
   * Sets the server clock back by `ms` from now on, as after a leader change to
   * a node whose clock is behind: the next `created` is earlier than the last.
   */
  stepClockBack(ms: number): void {
    this.clockOffsetMs -= BigInt(ms);
    this.lastTicks = 0n;
  }

  /** Strictly increasing while the clock is not stepped back, like a server clock read under the writer lock. */
  private createdTicks(): string {
    const now =
      (BigInt(Date.now()) + this.clockOffsetMs) * TICKS_PER_MS +
      BigInt(Math.floor(Math.random() * 10_000));
    this.lastTicks = now > this.lastTicks ? now : this.lastTicks + 1n;
    return this.lastTicks.toString();
  }
}
