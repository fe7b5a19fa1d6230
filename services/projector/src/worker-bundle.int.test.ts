import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleScript, bundleScriptSomewhere, defaultBundleCache } from './worker-bundle.js';

const entry = path.join(__dirname, 'shard-worker.ts');
let cacheDir: string;
beforeEach(() => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'nhagiao-bundle-'));
});
afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

const manifestOf = (dir: string): { file: string; json: Record<string, unknown> } => {
  const name = readdirSync(dir).find((f) => f.endsWith('.json'));
  if (name === undefined) throw new Error('no manifest');
  const file = path.join(dir, name);
  return { file, json: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> };
};

test('the worker bundle is reused while its inputs are unchanged, and built again when one changes', async () => {
  const first = await bundleScript(entry, cacheDir);
  expect(first.reused).toBe(false);
  // A script node runs as it is: it waits for its job on the IPC channel, which a plain run lacks.
  expect(() => execFileSync(process.execPath, ['--check', first.script])).not.toThrow();
  const { file, json } = manifestOf(cacheDir);
  const inputs = json.inputs as [string, number, number][];
  expect(inputs.map(([input]) => path.basename(input))).toEqual(
    expect.arrayContaining(['shard-worker.ts', 'teacher-replay.ts', 'projection.ts']),
  );

  const again = await bundleScript(entry, cacheDir);
  expect(again).toEqual({ script: first.script, reused: true });

  // An input changed since (its recorded modification time differs): built again, to the same script.
  const [changed] = inputs;
  writeFileSync(
    file,
    JSON.stringify({
      ...json,
      inputs: [[changed![0], changed![1], changed![2] - 1], ...inputs.slice(1)],
    }),
  );
  expect(await bundleScript(entry, cacheDir)).toEqual({ script: first.script, reused: false });

  // The native binding it requires has moved: built again.
  writeFileSync(file, JSON.stringify({ ...json, externals: [path.join(cacheDir, 'gone.node')] }));
  expect((await bundleScript(entry, cacheDir)).reused).toBe(false);

  // Another bundle format or an unreadable manifest: built again.
  writeFileSync(file, JSON.stringify({ ...json, format: 0 }));
  expect((await bundleScript(entry, cacheDir)).reused).toBe(false);
  writeFileSync(file, '{');
  expect((await bundleScript(entry, cacheDir)).reused).toBe(false);
  expect((await bundleScript(entry, cacheDir)).reused).toBe(true);
  // One script and one manifest: nothing half-written left behind.
  expect(readdirSync(cacheDir).sort()).toEqual(
    [path.basename(first.script), path.basename(file)].sort(),
  );
}, 30_000);

test('bundles are cached in the node_modules/.cache of the nearest directory with node_modules', () => {
  // pnpm gives each package its own node_modules: this package's.
  const pkg = path.resolve(__dirname, '..');
  expect(defaultBundleCache(entry)).toBe(path.join(pkg, 'node_modules', '.cache', 'nhagiao'));
  const root = path.resolve(pkg, '..', '..');
  expect(
    defaultBundleCache(path.join(path.parse(root).root, 'no-such-dir', 'x.ts')),
  ).toBeUndefined();
});

test('where the cache cannot be written, the bundle goes to a directory of its own', async () => {
  // A cache "directory" under a plain file: nothing can be created there.
  const file = path.join(cacheDir, 'plain-file');
  writeFileSync(file, '');
  const bundled = await bundleScriptSomewhere(entry, path.join(file, 'cache'));
  expect(bundled.reused).toBe(false);
  expect(bundled.script.startsWith(path.join(tmpdir(), 'nhagiao-replay-'))).toBe(true);
  expect(() => execFileSync(process.execPath, ['--check', bundled.script])).not.toThrow();
  // Where it can, the cache is used.
  expect((await bundleScriptSomewhere(entry, cacheDir)).script.startsWith(cacheDir)).toBe(true);
}, 30_000);
