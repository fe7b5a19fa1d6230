import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * `npm pack` of this package gives a tarball that installs with npm alone in an
 * empty directory, outside the workspace (its dependencies from the registry,
 * better-sqlite3's native binding fetched or compiled by its own install), and
 * whose `nhagiao` runs the demo and answers a query as the sources do.
 *
 * Slow: the install fetches every dependency (from npm's cache when it has
 * them); where better-sqlite3's prebuilt binding cannot be downloaded, it is
 * compiled, which takes minutes on two cores.
 */
const cliRoot = path.resolve(__dirname, '..');
const main = path.join(__dirname, 'main.ts');
const INSTALL_TIMEOUT_MS = 15 * 60_000;

/** Only what npm needs: nothing of the workspace's pnpm run leaks into the install. */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'http_proxy', 'https_proxy', 'no_proxy'];
  return Object.fromEntries(
    keep.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])),
  );
};

const run = (
  command: string,
  args: readonly string[],
  cwd: string,
  timeout = 120_000,
): { stdout: string; stderr: string } => {
  const r = spawnSync(command, args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} exited ${r.status ?? r.signal ?? r.error?.message}:\n${r.stderr}${r.stdout}`,
    );
  return { stdout: r.stdout, stderr: r.stderr };
};

describe('npm pack of the nhagiao command', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-pack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'installs with npm in an empty directory and runs demo and a query as the sources do',
    () => {
      run('npm', ['pack', '--pack-destination', dir], cliRoot);
      const [tarball] = readdirSync(dir).filter((f) => f.endsWith('.tgz'));
      expect(tarball).toBeDefined();
      const app = path.join(dir, 'app');
      run('mkdir', ['-p', app], dir);
      run(
        'npm',
        ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(dir, tarball!)],
        app,
        INSTALL_TIMEOUT_MS,
      );

      const help = run('npx', ['--no-install', 'nhagiao', '--help'], app);
      expect(help.stdout).toMatch(/^Usage: nhagiao <command>/m);
      expect(help.stdout).toMatch(/^ {2}indicators /m);

      const data = path.join(app, 'data');
      const demo = run(
        'npx',
        ['--no-install', 'nhagiao', 'demo', '--teachers', '120', '--data-dir', data],
        app,
      );
      expect(demo.stdout).toContain('423/KH-UBND');

      const query = ['indicators', '--as-of', '2025-12-31', '--by', 'unit', '--format', 'json'];
      const installed = run('npx', ['--no-install', 'nhagiao', ...query, '--data-dir', data], app);
      const fromSource = run(
        process.execPath,
        ['--import', 'tsx', main, ...query, '--data-dir', data],
        cliRoot,
      );
      expect(JSON.parse(installed.stdout)).not.toHaveLength(0);
      expect(installed.stdout).toBe(fromSource.stdout);
    },
    INSTALL_TIMEOUT_MS + 5 * 60_000,
  );
});
