import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@nhagiao/bus/test-support';
import pg from 'pg';

const BIN = process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

/** A PostgreSQL server of the test's own (initdb into a temporary directory), so it can be stopped and started. */
export interface PostgresInstance {
  readonly port: number;
  /** Creates a database; returns its URL. */
  createDatabase(label: string): Promise<string>;
  /** `pg_ctl stop -m fast` (connections are cut), then start again after `downMs`. */
  restart(options?: { readonly downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * PostgreSQL refuses to run as root: as root, the server's files belong to the
 * `postgres` user and its commands run as that user (runuser).
 */
const exec = promisify(execFile);
const asOwner = (): { run: (cmd: string, args: string[]) => Promise<unknown>; owner?: number } => {
  if (process.getuid?.() !== 0) return { run: (cmd, args) => exec(join(BIN, cmd), args) };
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  return {
    owner: uid,
    run: (cmd, args) => exec('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args]),
  };
};

export const startPostgresInstance = async (): Promise<PostgresInstance> => {
  const dir = mkdtempSync(join(tmpdir(), 'nhagiao-pg-'));
  const { run, owner } = asOwner();
  if (owner !== undefined) {
    chownSync(dir, owner, owner);
    chmodSync(dir, 0o700);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const start = (): Promise<unknown> =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
      'start',
    ]);
  const stopServer = (): Promise<unknown> =>
    run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  await start();
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let counter = 0;
  return {
    port,
    async createDatabase(label) {
      counter += 1;
      const name = `${label}_${counter}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`create database "${name}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async restart({ downMs = 0 } = {}) {
      await stopServer();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      try {
        await stopServer();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
};
