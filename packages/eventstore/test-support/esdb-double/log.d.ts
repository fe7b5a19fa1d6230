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
export type Expected = {
    readonly kind: 'any';
} | {
    readonly kind: 'no-stream';
} | {
    readonly kind: 'exists';
} | {
    readonly kind: 'revision';
    readonly revision: bigint;
};
export type AppendOutcome = {
    readonly ok: true;
    /** Revision of the stream's last event, or null when the stream is still empty. */
    readonly currentRevision: bigint | null;
    readonly position: bigint | null;
} | {
    readonly ok: false;
    readonly currentRevision: bigint | null;
};
export declare class DoubleLog {
    private readonly all;
    private readonly streams;
    private readonly listeners;
    private nextPosition;
    private lastTicks;
    constructor(startPosition: bigint);
    get events(): readonly LoggedEvent[];
    /** Index in `events` of the first event at or after (`inclusive`) or strictly after a position. */
    indexFrom(position: bigint, inclusive: boolean): number;
    /**
     * Whether a `$all` read may start here: where a record starts, the start (0)
     * or the end of the log. Positions before the first event the double wrote
     * are taken as the server's own records.
     */
    isRecordStart(position: bigint): boolean;
    stream(name: string): readonly LoggedEvent[] | undefined;
    /** Called synchronously for each event as it is written, in log order. */
    onAppend(listener: (event: LoggedEvent) => void): () => void;
    append(stream: string, expected: Expected, proposed: readonly ProposedEvent[]): AppendOutcome;
    /**
     * EventStoreDB's own idempotency: the same event ids written again at the
     * place they were first written (or with `any`) succeed without writing.
     */
    private idempotentReplay;
    private clockOffsetMs;
    /**
     * Sets the server clock back by `ms` from now on, as after a leader change to
     * a node whose clock is behind: the next `created` is earlier than the last.
     */
    stepClockBack(ms: number): void;
    /** Strictly increasing while the clock is not stepped back, like a server clock read under the writer lock. */
    private createdTicks;
}
//# sourceMappingURL=log.d.ts.map