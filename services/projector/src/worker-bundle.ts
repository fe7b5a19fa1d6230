import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, version as esbuildVersion } from 'esbuild';

/**
 * How the script is bundled (the options below). Part of what a cached bundle
 * is checked against, with esbuild's version: change it with the options.
 */
const BUNDLE_FORMAT = 1;

/** What a cached bundle was built from, kept beside it. */
interface Manifest {
  readonly format: number;
  readonly esbuild: string;
  /** The script's file name in the cache directory. */
  readonly script: string;
  /** Every source file bundled: absolute path, size, modification time (ms). */
  readonly inputs: readonly (readonly [string, number, number])[];
  /** Modules left to `require` at run time, by absolute path: they must still be there. */
  readonly externals: readonly string[];
}

export interface BundledScript {
  /** The script's absolute path. */
  readonly script: string;
  /** Whether the cached bundle was used (no bundling). */
  readonly reused: boolean;
}

/**
 * Where to cache bundles for `file`: `node_modules/.cache/nhagiao` of the
 * nearest directory above it that has a `node_modules` (where build tools keep
 * their caches); undefined when there is none.
 */
export const defaultBundleCache = (file: string): string | undefined => {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules')))
      return path.join(dir, 'node_modules', '.cache', 'nhagiao');
    if (path.dirname(dir) === dir) return undefined;
  }
};

const manifestFile = (entry: string, cacheDir: string): string =>
  path.join(
    cacheDir,
    `${path.basename(entry).replace(/\.[^.]+$/, '')}-${createHash('sha256').update(entry).digest('hex').slice(0, 12)}.json`,
  );

/** The cached script, if it was built from the files as they are now. */
const cached = (manifestPath: string, cacheDir: string): string | undefined => {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.format !== BUNDLE_FORMAT || manifest.esbuild !== esbuildVersion) return undefined;
  const script = path.join(cacheDir, manifest.script);
  if (!existsSync(script) || !manifest.externals.every((file) => existsSync(file)))
    return undefined;
  for (const [file, size, mtimeMs] of manifest.inputs) {
    try {
      const stat = statSync(file);
      if (stat.size !== size || stat.mtimeMs !== mtimeMs) return undefined;
    } catch {
      return undefined;
    }
  }
  return script;
};

/** Writes `file` whole or not at all (a reader in another process never sees half of it). */
const writeAtomically = (file: string, content: string): void => {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, file);
};

/**
 * `entry` (TypeScript) bundled with esbuild into one CommonJS script for
 * `fork`, in `cacheDir`. While none of the files it was built from changed
 * (size, modification time), the cached script is used as it is: bundling
 * takes ~110 ms, a tenth of a second of every rebuild and verify. Only the
 * native SQLite binding stays outside, required from where the store resolves
 * it. Scripts are named by their content, so a run never overwrites one that
 * another run's processes are starting from.
 */
export const bundleScript = async (entry: string, cacheDir: string): Promise<BundledScript> => {
  const manifestPath = manifestFile(entry, cacheDir);
  const reuse = cached(manifestPath, cacheDir);
  if (reuse !== undefined) return { script: reuse, reused: true };

  const externals: string[] = [];
  const workingDir = path.dirname(entry);
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: workingDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'native-sqlite',
        setup(b) {
          // Resolved as the importing package sees it, then left to require at run time.
          b.onResolve({ filter: /^better-sqlite3$/ }, async (args) => {
            if (args.pluginData === 'native-sqlite') return undefined;
            const found = await b.resolve(args.path, {
              kind: args.kind,
              resolveDir: args.resolveDir,
              pluginData: 'native-sqlite',
            });
            if (found.errors.length > 0) return { errors: found.errors };
            externals.push(found.path);
            return { path: found.path, external: true };
          });
        },
      },
    ],
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`${path.basename(entry)} could not be bundled`);
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const file = path.resolve(workingDir, input);
    const stat = statSync(file);
    return [file, stat.size, stat.mtimeMs] as const;
  });
  const name = `${path.basename(manifestPath, '.json')}-${createHash('sha256').update(output.text).digest('hex').slice(0, 12)}.cjs`;
  mkdirSync(cacheDir, { recursive: true });
  writeAtomically(path.join(cacheDir, name), output.text);
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    esbuild: esbuildVersion,
    script: name,
    inputs,
    externals: [...new Set(externals)],
  };
  writeAtomically(manifestPath, JSON.stringify(manifest));
  removeStale(cacheDir, path.basename(manifestPath, '.json'), name);
  return { script: path.join(cacheDir, name), reused: false };
};

/** Scripts of earlier builds of the same entry, an hour old or more (none still starting). */
const removeStale = (cacheDir: string, stem: string, current: string): void => {
  const hourAgo = Date.now() - 3_600_000;
  for (const file of readdirSync(cacheDir)) {
    if (file === current || !file.startsWith(`${stem}-`) || !file.endsWith('.cjs')) continue;
    const at = path.join(cacheDir, file);
    try {
      if (statSync(at).mtimeMs < hourAgo) rmSync(at, { force: true });
    } catch {
      // Removed meanwhile by another run.
    }
  }
};

/**
 * `bundleScript` into `cacheDir` when given and writable (a deployment may keep
 * node_modules read-only), else into a directory of this process's own,
 * removed when it exits.
 */
export const bundleScriptSomewhere = async (
  entry: string,
  cacheDir: string | undefined,
): Promise<BundledScript> => {
  if (cacheDir !== undefined) {
    try {
      return await bundleScript(entry, cacheDir);
    } catch {
      // Bundled again below, where a failure is the bundler's own and is reported.
    }
  }
  const own = mkdtempSync(path.join(tmpdir(), 'nhagiao-replay-'));
  process.once('exit', () => rmSync(own, { recursive: true, force: true }));
  return bundleScript(entry, own);
};
