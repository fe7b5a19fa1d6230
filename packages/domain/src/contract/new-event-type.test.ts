import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The contract's compile-time guard: an event type added to the contract (its
 * schema and its stream) without a decider, an evolve and a fact handler must
 * not type-check. Two copies of the domain's production sources are checked by
 * tsc side by side: the unmodified one must compile (so a broken copy cannot
 * pass for a refusal), the one with the new type must fail with errors naming
 * the new type in every handler it lacks.
 */

const domainRoot = join(__dirname, '..', '..');
const repoRoot = join(domainRoot, '..', '..');
const tscBin = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

const NEW_TYPE = 'TeacherCommended';

/** File → why it must name the new type (each is one handler the contract forces). */
const MUST_FAIL: Record<string, string> = {
  'src/deciders/teacher.ts': 'the teacher decider',
  'src/deciders/teacher-state.ts': 'the teacher evolve',
  'src/ledger/fact-text.ts': 'the fact classification',
  'src/facts/fold.ts': 'the fact fold',
  'src/ledger/projection.ts': 'the projection effects',
  'src/authority/table.ts': 'the authority table',
};

const insertBefore = (text: string, anchor: string, line: string): string => {
  const at = text.indexOf(anchor);
  if (at < 0) throw new Error(`anchor ${JSON.stringify(anchor)} not found`);
  return text.slice(0, at) + line + text.slice(at);
};

const copyDomain = (into: string): string => {
  const dir = join(into, 'domain');
  cpSync(join(domainRoot, 'src'), join(dir, 'src'), {
    recursive: true,
    filter: (src) => !src.endsWith('.test.ts'),
  });
  symlinkSync(join(domainRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  symlinkSync(join(domainRoot, 'package.json'), join(dir, 'package.json'));
  const base = JSON.parse(readFileSync(join(repoRoot, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: Record<string, unknown>;
  };
  const tsconfig = {
    compilerOptions: {
      ...base.compilerOptions,
      composite: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      noEmit: true,
      noErrorTruncation: true,
      types: ['node', 'jest'],
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
    },
    include: ['src'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  return dir;
};

const tsc = (dir: string): Promise<{ code: number; out: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [tscBin, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'],
      { cwd: dir, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, out: stdout + stderr });
      },
    );
  });

describe('adding an event type to the contract', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'nhagiao-contract-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('fails to type-check until it has a decider, an evolve and a fact handler', async () => {
    const unmodified = copyDomain(join(tmp, 'unmodified'));
    const modified = copyDomain(join(tmp, 'modified'));

    const schemas = join(modified, 'src', 'events', 'schemas.ts');
    writeFileSync(
      schemas,
      insertBefore(
        readFileSync(schemas, 'utf8'),
        '  TeachingContestAwarded: z.strictObject({',
        `  ${NEW_TYPE}: z.strictObject({ teacherId: identifier, commendedOn: businessDate }),\n`,
      ),
    );
    const streams = join(modified, 'src', 'events', 'streams.ts');
    writeFileSync(
      streams,
      insertBefore(
        readFileSync(streams, 'utf8'),
        "  EventRetracted: 'teacher',",
        `  ${NEW_TYPE}: 'teacher',\n`,
      ),
    );

    const [clean, broken] = await Promise.all([tsc(unmodified), tsc(modified)]);

    expect(clean.out).toBe('');
    expect(clean.code).toBe(0);

    expect(broken.code).not.toBe(0);
    const errors = broken.out.split('\n').filter((line) => /\): error TS\d+:/.test(line));
    const naming = (file: string) =>
      errors.filter((line) => line.startsWith(`${file}(`) && line.includes(NEW_TYPE));
    const missing = Object.entries(MUST_FAIL)
      .filter(([file]) => naming(file).length === 0)
      .map(([file, what]) => `${what} (${file})`);
    expect({ missing, errors }).toEqual({ missing: [], errors: expect.any(Array) });
    // Only the handlers fail: the schema and stream entries themselves are sound.
    expect(errors.filter((line) => /^src\/events\//.test(line))).toEqual([]);
  }, 180_000);
});
