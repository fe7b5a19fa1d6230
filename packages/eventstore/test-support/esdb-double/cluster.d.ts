import { DoubleLog } from './log.js';
import { type EsdbDouble, type EsdbDoubleOptions } from './server.js';
export interface EsdbClusterOptions extends Omit<EsdbDoubleOptions, 'port' | 'log' | 'gossip' | 'systemEvents'> {
    /** Nodes in the cluster (default 3). */
    readonly nodes?: number;
    /** Port of the first node; the others follow it (default: free ports). */
    readonly port?: number;
}
export interface EsdbCluster {
    /** Connection string with every node as a gossip seed: `esdb://127.0.0.1:p1,127.0.0.1:p2,…`. */
    readonly url: string;
    readonly nodes: readonly EsdbDouble[];
    /** The one log every node serves: a write the leader acknowledged is on every node. */
    readonly log: DoubleLog;
    /** Index of the leading node. */
    readonly leader: number;
    /**
     * Another node leads from now on (the next alive one by default): the old
     * leader answers not-leader naming it, and its subscriptions are dropped, as
     * after an election. `stepClockBackMs`: the new leader's clock is that far
     * behind the old one's.
     */
    changeLeader(to?: number, options?: {
        readonly stepClockBackMs?: number;
    }): number;
    /** Stops the leader (its calls fail, gossip shows it dead) and elects the next alive node. */
    killLeader(): Promise<number>;
    /** Starts a stopped node again, as a follower. */
    revive(node: number): Promise<void>;
    stop(): Promise<void>;
}
/**
 * A "cluster" of protocol doubles: every node answers `Gossip/Read` with the
 * members, their states and whether they are alive, so a client given the
 * nodes as seeds finds the leader; followers answer not-leader naming it. One
 * log stands for perfect replication: what the leader acknowledged, every node
 * has. The leader can be changed or killed at any moment (mid-import, under a
 * subscription).
 */
export declare const startEsdbCluster: (options?: EsdbClusterOptions) => Promise<EsdbCluster>;
//# sourceMappingURL=cluster.d.ts.map