import { type AppendSettings } from './append.js';
import { DoubleLog } from './log.js';
import { type ReadSettings } from './read.js';
export interface EsdbDoubleOptions {
    /** Port to listen on; 0 (default) picks a free one, kept across restarts. */
    readonly port?: number;
    /** Where the log begins; real positions are byte offsets, so the first user event is far from 0. */
    readonly startPosition?: bigint;
    /** Advertise `Streams/BatchAppend` in ServerFeatures (default true); false makes the client use `Append`. */
    readonly batchAppend?: boolean;
    /** Answer ServerFeatures at all (default true); false answers UNIMPLEMENTED, as servers before 21.10. */
    readonly serverFeatures?: boolean;
    /** Write system events (`$`-prefixed streams and types) into `$all`, as a real server does (default true). */
    readonly systemEvents?: boolean;
    readonly checkpointBase?: number;
    /** Messages a live subscription may have waiting before it is dropped as too slow (default 10,000). */
    readonly subscriberBuffer?: number;
    /** Records per page of a filtered catch-up (default 20): checkpoints fall on page starts. */
    readonly readBatchSize?: number;
    readonly streamNotFound?: ReadSettings['streamNotFound'];
    readonly wrongExpectedVersion?: AppendSettings['wrongExpectedVersion'];
    /** Bytes of event data and metadata one append may carry (the server's MaxAppendSize, default 1 MiB). */
    readonly maxAppendSize?: number;
    /** `user:password`: every Streams call must carry these credentials (anonymous access off, as since 23.10). */
    readonly auth?: string;
    /** PEM key and certificate to serve TLS with; credentials only travel over TLS. */
    readonly tls?: {
        readonly key: string;
        readonly cert: string;
    };
    /** The log to serve, shared by the nodes of a cluster (see cluster.ts); a new one by default. */
    readonly log?: DoubleLog;
    /** What `Gossip/Read` answers: the cluster's members; by default this node alone, as leader. */
    readonly gossip?: () => readonly GossipMember[];
}
/** A member as gossip describes it to clients. */
export interface GossipMember {
    readonly port: number;
    readonly leader: boolean;
    readonly alive: boolean;
}
export interface EsdbDouble {
    /** Connection string for `@eventstore/db-client`: `esdb://127.0.0.1:<port>?tls=false`. */
    readonly url: string;
    readonly port: number;
    /** Everything written, system events included, in log order. */
    readonly log: DoubleLog;
    /** Where each `$all` subscription asked to start, in the order they came: a position (exclusive), or start/end. */
    readonly subscriptionStarts: ReadonlyArray<bigint | 'start' | 'end'>;
    /**
     * Counts of `$all` reads and subscriptions: events sent to clients, and events
     * a server-side filter skipped (never sent), so a test can prove the server filtered.
     */
    readonly served: {
        readonly allEventsSent: number;
        readonly skippedByFilter: number;
        /** Live subscriptions dropped because their subscriber was too slow. */
        readonly slowDropped: number;
    };
    /** Fails every live subscription (UNAVAILABLE), or ends it cleanly with `how: 'end'`. Returns how many. */
    dropSubscriptions(how?: 'error' | 'end'): number;
    /** Stops listening; live calls fail. The data stays. */
    stop(): Promise<void>;
    /** Listens again on the same port with the same data. */
    start(): Promise<void>;
    restart(): Promise<void>;
    /** From now on answer not-leader, naming the leader at 127.0.0.1:port; undefined serves again. */
    followLeader(port: number | undefined): void;
}
/**
 * Starts an in-memory server speaking EventStoreDB's gRPC protocol for the
 * calls the adapter makes. A test tool, not a store: nothing is written to disk.
 */
export declare const startEsdbDouble: (options?: EsdbDoubleOptions) => Promise<EsdbDouble>;
//# sourceMappingURL=server.d.ts.map