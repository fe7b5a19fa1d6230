import { DoubleLog } from './log.js';
import { type EsdbDouble, type EsdbDoubleOptions, startEsdbDouble } from './server.js';

export interface EsdbClusterOptions extends Omit<
  EsdbDoubleOptions,
  'port' | 'log' | 'gossip' | 'systemEvents'
> {
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
  changeLeader(to?: number, options?: { readonly stepClockBackMs?: number }): number;
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
export const startEsdbCluster = async (options: EsdbClusterOptions = {}): Promise<EsdbCluster> => {
  const count = options.nodes ?? 3;
  const log = new DoubleLog(options.startPosition ?? 1_048_576n);
  const alive: boolean[] = new Array<boolean>(count).fill(true);
  const nodes: EsdbDouble[] = [];
  let leader = 0;
  const gossip = () =>
    nodes.map((n, i) => ({ port: n.port, leader: i === leader, alive: alive[i] ?? false }));
  for (let i = 0; i < count; i++) {
    nodes.push(
      await startEsdbDouble({
        ...options,
        ...(options.port === undefined ? {} : { port: options.port + i }),
        log,
        gossip,
        // The cluster's system event once, by the first node.
        systemEvents: i === 0,
      }),
    );
  }
  const follow = (): void => {
    const leaderPort = (nodes[leader] as EsdbDouble).port;
    nodes.forEach((n, i) => n.followLeader(i === leader ? undefined : leaderPort));
  };
  follow();
  const nextAlive = (from: number): number => {
    for (let k = 1; k <= count; k++) {
      const i = (from + k) % count;
      if (alive[i]) return i;
    }
    throw new Error('no node of the cluster is alive');
  };
  const changeLeader: EsdbCluster['changeLeader'] = (to, changeOptions = {}) => {
    const next = to ?? nextAlive(leader);
    if (!alive[next]) throw new Error(`node ${next} is not alive`);
    const old = nodes[leader] as EsdbDouble;
    leader = next;
    if (changeOptions.stepClockBackMs !== undefined)
      log.stepClockBack(changeOptions.stepClockBackMs);
    follow();
    old.dropSubscriptions('error');
    return leader;
  };
  return {
    get url() {
      const hosts = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
      return `esdb://${hosts}?tls=${options.tls ? 'true' : 'false'}`;
    },
    nodes,
    log,
    get leader() {
      return leader;
    },
    changeLeader,
    killLeader: async () => {
      const old = leader;
      alive[old] = false;
      await (nodes[old] as EsdbDouble).stop();
      leader = nextAlive(old);
      follow();
      return leader;
    },
    revive: async (node) => {
      await (nodes[node] as EsdbDouble).start();
      alive[node] = true;
      follow();
    },
    stop: async () => {
      for (const n of nodes) await n.stop();
    },
  };
};
