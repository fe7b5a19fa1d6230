// @ts-check
/**
 * Part of `pnpm lint`. Two checks of the sources' shape:
 *
 * - File names (a warning): one case across the workspace, kebab-case
 *   (`sqlite-event-store.ts`); each file named otherwise is listed.
 * - Circular imports (an error): fails naming every circular import among the production
 * sources (`packages/*\/src`, `services/*\/src`, tests and test support left
 * out), type-only imports included: a cycle through types still ties the files
 * together. Within a package only, by relative import (between packages, the
 * TypeScript project references already forbid cycles). A cycle is a strongly
 * connected group of two or more files, or a file that imports itself.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isProduction = (file) =>
  /^(packages|services)\/[^/]+\/src\//.test(file) &&
  !/\.test\.ts$/.test(file) &&
  !file.includes('/test-support/');

/** Every production source file. */
const sources = [];
for (const group of ['packages', 'services']) {
  for (const name of readdirSync(path.join(root, group))) {
    const src = path.join(group, name, 'src');
    if (!existsSync(path.join(root, src))) continue;
    const walk = (dir) => {
      for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const at = path.join(dir, e.name);
        if (e.isDirectory()) walk(at);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && isProduction(at))
          sources.push(at);
      }
    };
    walk(src);
  }
}
const known = new Set(sources);

/** `./x.js` from `dir` → the source file it names (`x.ts`, or `x/index.ts`). */
const resolve = (dir, specifier) => {
  const base = path.join(dir, specifier).replace(/\.js$/, '');
  return [`${base}.ts`, path.join(base, 'index.ts')].find((f) => known.has(f));
};

/** @type {Map<string, string[]>} */
const edges = new Map();
for (const file of sources) {
  const { importedFiles } = ts.preProcessFile(
    readFileSync(path.join(root, file), 'utf8'),
    true,
    true,
  );
  edges.set(
    file,
    importedFiles
      .filter((i) => i.fileName.startsWith('.'))
      .map((i) => resolve(path.dirname(file), i.fileName))
      .filter((f) => f !== undefined),
  );
}

// Tarjan's strongly connected components.
let index = 0;
const at = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
const visit = (v) => {
  at.set(v, index);
  low.set(v, index);
  index += 1;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!at.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), at.get(w)));
  }
  if (low.get(v) === at.get(v)) {
    const group = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(group.sort());
  }
};
for (const v of edges.keys()) if (!at.has(v)) visit(v);

/** Source files of the workspace (tests and benches too) whose names are not kebab-case. */
const oddNames = [];
const walkNames = (dir) => {
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const at = path.join(dir, e.name);
    if (e.isDirectory()) walkNames(at);
    else if (/\.(ts|mjs)$/.test(e.name) && !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9-]+)*$/.test(e.name))
      oddNames.push(at);
  }
};
for (const top of ['packages', 'services', 'test', 'bench', 'scripts'])
  if (existsSync(path.join(root, top))) walkNames(top);
if (oddNames.length > 0)
  process.stderr.write(
    `warning: ${oddNames.length} file name${oddNames.length === 1 ? ' is' : 's are'} not kebab-case like the rest (rename when next changed):\n${oddNames.map((f) => `  ${f}`).join('\n')}\n`,
  );

if (cycles.length > 0) {
  process.stderr.write(
    `${cycles.length} circular import${cycles.length === 1 ? '' : 's'} among the production sources:\n${cycles
      .map((g) => `  ${g.join(' ⇄ ')}`)
      .join('\n')}\nBreak each by moving what the files share into a module both import.\n`,
  );
  process.exitCode = 1;
} else {
  process.stdout.write(`no circular imports among ${edges.size} production source files\n`);
}
