import * as grpc from '@grpc/grpc-js';
import type { DoubleLog } from './log.js';
import { type ReadReq, type ReadResp } from './proto.js';
export interface ReadSettings {
    /** Events examined between two checkpoints of a filtered subscription, per unit of the client's multiplier. */
    readonly checkpointBase: number;
    /**
     * Messages a live subscription may have waiting to be sent (the client not
     * reading: a slow subscriber); past it the subscription is dropped
     * (UNAVAILABLE), as a server bounds its subscription buffers.
     */
    readonly subscriberBuffer: number;
    /** Records a filtered catch-up reads per page; its checkpoints fall on page starts. */
    readonly readBatchSize: number;
    /** How a read of a missing stream answers: a `stream_not_found` message, or NOT_FOUND with trailers (older servers). */
    readonly streamNotFound: 'message' | 'trailers';
}
type Call = grpc.ServerWritableStream<ReadReq, ReadResp>;
/** Live subscriptions, so the double can drop them on request, and where each `$all` one started. */
export interface LiveSubscriptions {
    readonly calls: Set<Call>;
    readonly starts: Array<bigint | 'start' | 'end'>;
    /** What `$all` reads and subscriptions did: events sent, and events their filter skipped on the server. */
    readonly served: {
        allEventsSent: number;
        skippedByFilter: number;
        slowDropped: number;
    };
}
/** Streams.Read: stream reads, `$all` reads, and subscriptions to either. */
export declare const handleRead: (log: () => DoubleLog, live: LiveSubscriptions, settings: ReadSettings) => (call: Call) => void;
export {};
//# sourceMappingURL=read.d.ts.map