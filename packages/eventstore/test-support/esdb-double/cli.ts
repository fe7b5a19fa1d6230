/**
 * The protocol double as a process, to try nhagiao against without a server:
 *   pnpm esdb-double --port 2113 [--nodes 3] [--auth user:password]
 * With --auth it serves TLS with a throwaway self-signed certificate (the client
 * sends credentials only over TLS) and prints the connection string to use.
 * With --nodes 3, three nodes on ports N, N+1, N+2 (gossip, one leader):
 * SIGUSR1 hands leadership to the next node, SIGUSR2 kills the leader (another
 * is elected; SIGUSR1 after that revives it as a follower first).
 * Data lives in memory until the process ends (Ctrl-C).
 */
import { parseArgs } from 'node:util';
import { startEsdbCluster } from './cluster.js';
import { startEsdbDouble } from './server.js';
import { secureUrl, selfSignedTls } from './tls.js';

const usage = 'usage: pnpm esdb-double --port N [--nodes 1|3] [--auth user:password]';

const main = async (): Promise<number> => {
  let values: { port?: string; auth?: string; nodes?: string };
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, auth: { type: 'string' }, nodes: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 2;
  }
  const port = Number(values.port ?? '2113');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`--port ${values.port}: expected a port number 0-65535\n${usage}\n`);
    return 2;
  }
  if (values.auth !== undefined && !/^[^:@/]+:[^@/]+$/.test(values.auth)) {
    process.stderr.write(`--auth ${values.auth}: expected user:password (no @ or /)\n${usage}\n`);
    return 2;
  }
  const nodes = Number(values.nodes ?? '1');
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 7 || (nodes > 1 && port === 0)) {
    process.stderr.write(
      `--nodes ${values.nodes}: expected 1 to 7 nodes, on ports from --port N (not 0)\n${usage}\n`,
    );
    return 2;
  }
  const tls = values.auth === undefined ? undefined : selfSignedTls();
  const security = {
    ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    ...(values.auth === undefined ? {} : { auth: values.auth }),
  };
  const secure = (url: string): string =>
    tls
      ? url
          .replace('?tls=true', `?tls=true&tlsCAFile=${encodeURIComponent(tls.caFile)}`)
          .replace('esdb://', `esdb://${values.auth}@`)
      : url;
  let stop: () => Promise<void>;
  if (nodes === 1) {
    const double = await startEsdbDouble({ port, ...security });
    const url = tls ? secureUrl(double.port, tls.caFile, values.auth) : double.url;
    process.stdout.write(`EventStoreDB protocol double listening; --store '${url}'\n`);
    stop = () => double.stop();
  } else {
    const cluster = await startEsdbCluster({ nodes, port, ...security });
    process.stdout.write(
      `EventStoreDB protocol double, ${nodes} nodes, node 0 leads; --store '${secure(cluster.url)}'\n` +
        `kill -USR1 ${process.pid}: the next node leads; kill -USR2 ${process.pid}: the leader dies\n`,
    );
    let dead: number | undefined;
    process.on('SIGUSR1', () => {
      void (async () => {
        if (dead !== undefined) {
          await cluster.revive(dead);
          process.stdout.write(`node ${dead} is back, as a follower\n`);
          dead = undefined;
        }
        process.stdout.write(`node ${cluster.changeLeader()} leads\n`);
      })();
    });
    process.on('SIGUSR2', () => {
      const killed = cluster.leader;
      void cluster.killLeader().then((leader) => {
        dead = killed;
        process.stdout.write(`node ${killed} killed; node ${leader} leads\n`);
      });
    });
    stop = () => cluster.stop();
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stop();
  tls?.cleanup();
  return 0;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
