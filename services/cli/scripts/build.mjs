// @ts-check
/**
 * The build of the `nhagiao` command: one esbuild bundle of the workspace's code
 * into `services/cli/dist/`.
 *
 *   dist/nhagiao.js      the command (run by the package's `bin`, bin/nhagiao.js)
 *   dist/shard-worker.js a replay worker process (forked by parallel-replay.ts)
 *   dist/chunk-*.js      code the two share, and code loaded only by the
 *                        commands that need it (each `import()` is a chunk)
 *   dist/web/            the dashboard page's sources (bundled for the browser
 *                        when `serve` starts)
 *
 * The workspace's packages (`@nhagiao/*`) are private and never published, so
 * they are bundled in, with a few small plain-JavaScript libraries (`BUNDLED`);
 * every other package stays a plain `import` resolved at run time from
 * `node_modules` and must be among this package's `dependencies` (the build
 * fails naming any that is not), which is what lets `npm pack` of this package
 * install on its own.
 *
 * `node services/cli/scripts/build.mjs [--clean]` builds; `isStale()` says whether a
 * source file changed since the last build (the `pnpm nhagiao` launcher).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cliRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(cliRoot, '../..');
export const distDir = path.join(cliRoot, 'dist');
export const entryFile = path.join(distDir, 'nhagiao.js');

/** The directories whose files go into the build. */
const sourceRoots = () =>
  ['packages', 'services'].flatMap((group) =>
    readdirSync(path.join(repoRoot, group)).map((name) => path.join(repoRoot, group, name)),
  );

/** The newest modification time (ms) of the sources and manifests the build reads. */
const newestSource = () => {
  // The build script itself, too: a change to how the build is made.
  let newest = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const at = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(at);
      else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(at).mtimeMs);
    }
  };
  for (const root of sourceRoots()) {
    const manifest = path.join(root, 'package.json');
    if (existsSync(manifest)) newest = Math.max(newest, statSync(manifest).mtimeMs);
    if (existsSync(path.join(root, 'src'))) walk(path.join(root, 'src'));
  }
  return newest;
};

/** Whether there is no build, or a source file changed after it was made. */
export const isStale = () => !existsSync(entryFile) || newestSource() > statSync(entryFile).mtimeMs;

/**
 * Plain-JavaScript packages the query commands load at start-up, bundled in as
 * well: as files of their own they are hundreds of small modules to resolve and
 * compile (kysely alone ~280) each time the command starts.
 */
const BUNDLED = new Set(['kysely', 'luxon', 'zod', 'ts-pattern', 'canonicalize']);

const isBuiltin = (name) => name.startsWith('node:') || builtinModules.includes(name);
/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * Builds into `dist/`. Chunks are named by their content, so a command still
 * running from an earlier build finds the chunks it loads later; files no build
 * has written for an hour are removed. `clean`: empty `dist/` first (install,
 * pack).
 */
export const build = async ({ clean = false } = {}) => {
  const { build: esbuild } = await import('esbuild');
  const manifest = JSON.parse(readFileSync(path.join(cliRoot, 'package.json'), 'utf8'));
  const declared = new Set(Object.keys(manifest.dependencies ?? {}));
  const undeclared = new Map();
  if (clean) rmSync(distDir, { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: repoRoot,
    entryPoints: {
      nhagiao: 'services/cli/src/main.ts',
      'shard-worker': 'services/projector/src/shard-worker.ts',
    },
    outdir: distDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    write: false,
    plugins: [
      {
        name: 'workspace-only',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            const name = packageOf(args.path);
            if (name.startsWith('@nhagiao/') || BUNDLED.has(name) || isBuiltin(args.path))
              return undefined;
            if (!declared.has(name)) undeclared.set(name, args.importer);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  if (undeclared.size > 0)
    throw new Error(
      `the build imports packages services/cli/package.json does not depend on: ${[...undeclared]
        .map(([name, importer]) => `${name} (from ${importer})`)
        .join(', ')}; add them to its "dependencies"`,
    );
  mkdirSync(distDir, { recursive: true });
  // Each file whole or not at all: a command starting meanwhile reads the old one or the new.
  for (const file of result.outputFiles) {
    const partial = `${file.path}.${process.pid}.partial`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
  // The dashboard's page, bundled for the browser when `serve` starts (assets.ts).
  cpSync(path.join(repoRoot, 'services/dashboard/src/web'), path.join(distDir, 'web'), {
    recursive: true,
    filter: (from) => !from.endsWith('.test.ts'),
  });
  const written = new Set(result.outputFiles.map((f) => f.path));
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(distDir)) {
    const at = path.join(distDir, name);
    if (name === 'web' || written.has(at)) continue;
    try {
      if (statSync(at).mtimeMs < hourAgo) rmSync(at, { force: true });
    } catch {
      // Removed meanwhile by another build.
    }
  }
  return { outputs: result.metafile.outputs };
};

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  const started = performance.now();
  try {
    await build({ clean: process.argv.includes('--clean') });
    if (!process.argv.includes('--quiet'))
      process.stderr.write(
        `nhagiao built into ${path.relative(process.cwd(), distDir) || '.'} in ${Math.round(performance.now() - started)} ms\n`,
      );
  } catch (e) {
    process.stderr.write(`nhagiao build failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
