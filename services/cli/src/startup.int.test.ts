import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The client libraries a query command does not need; each costs start-up time when loaded. */
const HEAVY = ['pg', 'exceljs', 'fastify', '@eventstore/db-client', 'nats'];

/** Which of HEAVY a fresh process has loaded after importing `specifier` (as `nhagiao` runs: under tsx). */
const heavyLoadedBy = (specifier: string): string[] => {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(specifier)});
    const loaded = Object.keys(createRequire(${JSON.stringify(__filename)}).cache);
    process.stdout.write(JSON.stringify(loaded));`;
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: __dirname,
      encoding: 'utf8',
    },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  const loaded = JSON.parse(run.stdout) as string[];
  return HEAVY.filter((name) =>
    loaded.some((file) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)),
  );
};

describe('start-up of the nhagiao command', () => {
  it('loads no store, messaging, HTTP or spreadsheet client until a command needs it', () => {
    // The probe sees them when they are loaded: the JetStream pipeline brings NATS.
    expect(heavyLoadedBy('@nhagiao/projector')).toContain('nats');
    expect(heavyLoadedBy(pathToFileURL(path.join(__dirname, 'cli.ts')).href)).toEqual([]);
  }, 60_000);
});
