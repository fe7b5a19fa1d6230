/**
 * The double's storage: one in-memory transaction log holding every stream,
 * with the semantics EventStoreDB documents for appends (expected revision,
 * 0-based stream revisions, idempotent re-appends) and for `$all` positions.
 */
const TICKS_PER_MS = 10000n;
/**
 * The log record header, roughly what a real prepare record costs around its
 * payload: positions are byte offsets of a growing file, hence sparse.
 */
const RECORD_OVERHEAD = 87n;
export class DoubleLog {
    all = [];
    streams = new Map();
    listeners = new Set();
    nextPosition;
    lastTicks = 0n;
    constructor(startPosition) {
        this.nextPosition = startPosition;
    }
    get events() {
        return this.all;
    }
    /** Index in `events` of the first event at or after (`inclusive`) or strictly after a position. */
    indexFrom(position, inclusive) {
        let lo = 0;
        let hi = this.all.length;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            const p = this.all[mid].position;
            if (p < position || (!inclusive && p === position))
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
    /**
     * Whether a `$all` read may start here: where a record starts, the start (0)
     * or the end of the log. Positions before the first event the double wrote
     * are taken as the server's own records.
     */
    isRecordStart(position) {
        const first = this.all[0]?.position;
        if (first === undefined || position <= first || position >= this.nextPosition)
            return true;
        return this.all[this.indexFrom(position, true)]?.position === position;
    }
    stream(name) {
        return this.streams.get(name);
    }
    /** Called synchronously for each event as it is written, in log order. */
    onAppend(listener) {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }
    append(stream, expected, proposed) {
        const existing = this.streams.get(stream) ?? [];
        const current = existing.length === 0 ? null : BigInt(existing.length - 1);
        const replay = this.idempotentReplay(existing, expected, proposed);
        if (replay)
            return replay;
        const fits = expected.kind === 'any' ||
            (expected.kind === 'no-stream' && current === null) ||
            (expected.kind === 'exists' && current !== null) ||
            (expected.kind === 'revision' && current === expected.revision);
        if (!fits)
            return { ok: false, currentRevision: current };
        if (proposed.length === 0) {
            return { ok: true, currentRevision: current, position: existing.at(-1)?.position ?? null };
        }
        const events = this.streams.get(stream) ?? [];
        this.streams.set(stream, events);
        let last;
        for (const p of proposed) {
            const event = {
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
            for (const listener of [...this.listeners])
                listener(event);
        }
        return { ok: true, currentRevision: last?.revision ?? null, position: last?.position ?? null };
    }
    /**
     * EventStoreDB's own idempotency: the same event ids written again at the
     * place they were first written (or with `any`) succeed without writing.
     */
    idempotentReplay(existing, expected, proposed) {
        const first = proposed[0];
        if (!first)
            return undefined;
        let start;
        if (expected.kind === 'revision')
            start = Number(expected.revision) + 1;
        else if (expected.kind === 'no-stream')
            start = 0;
        else if (expected.kind === 'any')
            start = existing.findIndex((e) => e.id === first.id);
        else
            return undefined;
        if (start < 0 || start + proposed.length > existing.length)
            return undefined;
        const same = proposed.every((p, i) => existing[start + i]?.id === p.id);
        if (!same)
            return undefined;
        const last = existing[start + proposed.length - 1];
        return last ? { ok: true, currentRevision: last.revision, position: last.position } : undefined;
    }
    clockOffsetMs = 0n;
    /**
     * Sets the server clock back by `ms` from now on, as after a leader change to
     * a node whose clock is behind: the next `created` is earlier than the last.
     */
    stepClockBack(ms) {
        this.clockOffsetMs -= BigInt(ms);
        this.lastTicks = 0n;
    }
    /** Strictly increasing while the clock is not stepped back, like a server clock read under the writer lock. */
    createdTicks() {
        const now = (BigInt(Date.now()) + this.clockOffsetMs) * TICKS_PER_MS +
            BigInt(Math.floor(Math.random() * 10_000));
        this.lastTicks = now > this.lastTicks ? now : this.lastTicks + 1n;
        return this.lastTicks.toString();
    }
}
//# sourceMappingURL=log.js.map