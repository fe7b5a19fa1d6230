import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A nats-server with JetStream that a test started and owns. */
export interface TestNatsServer {
  readonly url: string;
  readonly port: number;
  /** The JetStream store directory, kept across `restart()`. */
  readonly storeDir: string;
  /** Stops the server (SIGTERM, a clean shutdown) and starts it again on the same port and store. */
  restart(options?: { readonly downMs?: number }): Promise<void>;
  /** Stops the server and removes its store directory. */
  stop(): Promise<void>;
}

export interface StartNatsServerOptions {
  /** The binary; `NATS_SERVER` in the environment, else `/usr/sbin/nats-server`, else `nats-server` on PATH. */
  readonly binary?: string;
  readonly readyTimeoutMs?: number;
}

export const defaultBinary = (): string => process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

const bindable = (port: number): Promise<number | null> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const got = address === null || typeof address === 'string' ? null : address.port;
      server.close(() => resolve(got));
    });
  });

/**
 * A port free now (there is a small race until nats-server binds it), chosen
 * at random below the kernel's ephemeral range (32768 and up): a port from
 * there, which is what listening on port 0 hands out, may meanwhile become the
 * source port of some process's outgoing connection, and nats-server then
 * fails with "address already in use".
 */
export const freePort = async (): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = await bindable(20_000 + Math.floor(Math.random() * 12_000));
    if (port !== null) return port;
  }
  const port = await bindable(0);
  if (port === null) throw new Error('could not learn a free port');
  return port;
};

/** Starts nats-server with `args` and resolves once it says it is ready. */
export const launchNatsServer = (
  binary: string,
  args: readonly string[],
  readyTimeoutMs: number,
): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nats-server did not become ready in ${readyTimeoutMs} ms:\n${log}`));
    }, readyTimeoutMs);
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${String(code)} before it was ready:\n${log}`));
    };
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', onExit);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (log.length < 20_000) log += chunk;
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        child.off('exit', onExit);
        // Keep draining stderr so the server never blocks on a full pipe.
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve(child);
      }
    });
  });

const launch = (
  binary: string,
  port: number,
  storeDir: string,
  readyTimeoutMs: number,
): Promise<ChildProcess> =>
  launchNatsServer(
    binary,
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir],
    readyTimeoutMs,
  );

export const terminate = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });

/** Starts `nats-server -js` on a free port of 127.0.0.1 with a fresh temporary store. */
export const startNatsServer = async (
  options: StartNatsServerOptions = {},
): Promise<TestNatsServer> => {
  const binary = options.binary ?? defaultBinary();
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const storeDir = await mkdtemp(join(tmpdir(), 'nhagiao-nats-'));
  const port = await freePort();
  let child: ChildProcess | null = await launch(binary, port, storeDir, readyTimeoutMs);
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async restart({ downMs = 0 } = {}) {
      if (child !== null) await terminate(child);
      child = null;
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      child = await launch(binary, port, storeDir, readyTimeoutMs);
    },
    async stop() {
      if (child !== null) await terminate(child);
      child = null;
      await rm(storeDir, { recursive: true, force: true });
    },
  };
};
