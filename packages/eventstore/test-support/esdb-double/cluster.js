import { DoubleLog } from './log.js';
import { startEsdbDouble } from './server.js';
/**
 * A "cluster" of protocol doubles: every node answers `Gossip/Read` with the
 * members, their states and whether they are alive, so a client given the
 * nodes as seeds finds the leader; followers answer not-leader naming it. One
 * log stands for perfect replication: what the leader acknowledged, every node
 * has. The leader can be changed or killed at any moment (mid-import, under a
 * subscription).
 */
export const startEsdbCluster = async (options = {}) => {
    const count = options.nodes ?? 3;
    const log = new DoubleLog(options.startPosition ?? 1048576n);
    const alive = new Array(count).fill(true);
    const nodes = [];
    let leader = 0;
    const gossip = () => nodes.map((n, i) => ({ port: n.port, leader: i === leader, alive: alive[i] ?? false }));
    for (let i = 0; i < count; i++) {
        nodes.push(await startEsdbDouble({
            ...options,
            ...(options.port === undefined ? {} : { port: options.port + i }),
            log,
            gossip,
            // The cluster's system event once, by the first node.
            systemEvents: i === 0,
        }));
    }
    const follow = () => {
        const leaderPort = nodes[leader].port;
        nodes.forEach((n, i) => n.followLeader(i === leader ? undefined : leaderPort));
    };
    follow();
    const nextAlive = (from) => {
        for (let k = 1; k <= count; k++) {
            const i = (from + k) % count;
            if (alive[i])
                return i;
        }
        throw new Error('no node of the cluster is alive');
    };
    const changeLeader = (to, changeOptions = {}) => {
        const next = to ?? nextAlive(leader);
        if (!alive[next])
            throw new Error(`node ${next} is not alive`);
        const old = nodes[leader];
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
            await nodes[old].stop();
            leader = nextAlive(old);
            follow();
            return leader;
        },
        revive: async (node) => {
            await nodes[node].start();
            alive[node] = true;
            follow();
        },
        stop: async () => {
            for (const n of nodes)
                await n.stop();
        },
    };
};
//# sourceMappingURL=cluster.js.map