import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { defaultBinary, freePort, launchNatsServer, terminate } from './nats-server.js';

/** One node of a test cluster. */
export interface ClusterNode {
  readonly name: string;
  readonly url: string;
  /** Whether its process runs (even paused). */
  readonly running: boolean;
}

/** A JetStream cluster of nats-servers that a test started and owns, on loopback ports. */
export interface TestNatsCluster {
  /** Every node's client URL, comma-separated: what `--nats` takes. */
  readonly url: string;
  readonly nodes: readonly ClusterNode[];
  /** SIGKILL: no goodbye to the others. */
  kill9(name: string): Promise<void>;
  /** Starts a stopped or killed node again on its ports and store. */
  start(name: string): Promise<void>;
  /** SIGSTOP and SIGCONT: a node that stops answering without closing a socket. */
  pause(name: string): void;
  resume(name: string): void;
  /** The node leading a stream's replicas (null while none does). */
  streamLeader(stream: string): Promise<string | null>;
  stop(): Promise<void>;
}

interface NodeState {
  name: string;
  port: number;
  clusterPort: number;
  storeDir: string;
  child: ChildProcess | null;
  paused: boolean;
}

/**
 * Starts `size` nats-servers with JetStream, routed to each other as one
 * cluster, each on free loopback ports with its own temporary store; resolves
 * once JetStream has a meta leader (streams can be created).
 */
export const startNatsCluster = async (
  options: { readonly size?: number; readonly binary?: string } = {},
): Promise<TestNatsCluster> => {
  const binary = options.binary ?? defaultBinary();
  const size = options.size ?? 3;
  const base = await mkdtemp(join(tmpdir(), 'nhagiao-cluster-'));
  const nodes: NodeState[] = [];
  for (let i = 1; i <= size; i += 1)
    nodes.push({
      name: `n${i}`,
      port: await freePort(),
      clusterPort: await freePort(),
      storeDir: join(base, `n${i}`),
      child: null,
      paused: false,
    });
  const routes = nodes.map((n) => `nats://127.0.0.1:${n.clusterPort}`).join(',');
  const launch = async (n: NodeState): Promise<void> => {
    n.child = await launchNatsServer(
      binary,
      [
        '-js',
        '-a',
        '127.0.0.1',
        '-p',
        String(n.port),
        '-sd',
        n.storeDir,
        '--server_name',
        n.name,
        '--cluster_name',
        'nhagiao-test',
        '--cluster',
        `nats://127.0.0.1:${n.clusterPort}`,
        '--routes',
        routes,
      ],
      20_000,
    );
    n.paused = false;
  };
  const find = (name: string): NodeState => {
    const n = nodes.find((x) => x.name === name);
    if (n === undefined) throw new Error(`no node ${name}`);
    return n;
  };
  const url = nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(',');
  const streamLeader = async (stream: string): Promise<string | null> => {
    const nc = await connect({ servers: url.split(','), timeout: 2_000 });
    try {
      const info = await (await nc.jetstreamManager({ timeout: 2_000 })).streams.info(stream);
      return info.cluster?.leader ?? null;
    } catch {
      return null;
    } finally {
      await nc.close();
    }
  };
  try {
    await Promise.all(nodes.map(launch));
    // JetStream answers once the nodes have elected a meta leader.
    const until = performance.now() + 30_000;
    for (;;) {
      try {
        const nc = await connect({ servers: url.split(','), timeout: 2_000 });
        try {
          await (await nc.jetstreamManager({ timeout: 2_000 })).getAccountInfo();
          break;
        } finally {
          await nc.close();
        }
      } catch (error) {
        if (performance.now() > until) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } catch (error) {
    for (const n of nodes) if (n.child !== null) n.child.kill('SIGKILL');
    await rm(base, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    get nodes() {
      return nodes.map((n) => ({
        name: n.name,
        url: `nats://127.0.0.1:${n.port}`,
        running: n.child !== null,
      }));
    },
    async kill9(name) {
      const n = find(name);
      const child = n.child;
      if (child === null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      if (n.paused) child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
      n.child = null;
    },
    start: (name) => launch(find(name)),
    pause(name) {
      const n = find(name);
      n.child?.kill('SIGSTOP');
      n.paused = true;
    },
    resume(name) {
      const n = find(name);
      n.child?.kill('SIGCONT');
      n.paused = false;
    },
    streamLeader,
    async stop() {
      for (const n of nodes) {
        if (n.child === null) continue;
        if (n.paused) n.child.kill('SIGCONT');
        await terminate(n.child);
        n.child = null;
      }
      await rm(base, { recursive: true, force: true });
    },
  };
};
