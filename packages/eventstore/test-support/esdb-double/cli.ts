/**
 * The protocol double as a process, to try nhagiao against without a server:
 *   pnpm esdb-double --port 2113 [--auth user:password]
 * With --auth it serves TLS with a throwaway self-signed certificate (the client
 * sends credentials only over TLS) and prints the connection string to use.
 * Data lives in memory until the process ends (Ctrl-C).
 */
import { parseArgs } from 'node:util';
import { startEsdbDouble } from './server.js';
import { secureUrl, selfSignedTls } from './tls.js';

const usage = 'usage: pnpm esdb-double --port N [--auth user:password]';

const main = async (): Promise<number> => {
  let values: { port?: string; auth?: string };
  try {
    ({ values } = parseArgs({
      options: { port: { type: 'string' }, auth: { type: 'string' } },
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
  const tls = values.auth === undefined ? undefined : selfSignedTls();
  const double = await startEsdbDouble({
    port,
    ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    ...(values.auth === undefined ? {} : { auth: values.auth }),
  });
  const url = tls ? secureUrl(double.port, tls.caFile, values.auth) : double.url;
  process.stdout.write(`EventStoreDB protocol double listening; --store '${url}'\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await double.stop();
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
