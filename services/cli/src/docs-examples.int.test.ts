import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { cliSandbox } from './test-support/run.js';

const DOCS = path.resolve(__dirname, '../../../docs');
const EXAMPLES = path.join(DOCS, 'examples');

/** The figures the guide gives for each example file, as of 2025-12-31, province. */
const EXPECTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '01-new-teacher.ndjson': {
    'master-or-above': '0/2',
    'college-lecturers-qualified': '0/1',
    'trained-digital-transformation': '0/2',
    'trained-digital-materials': '0/2',
  },
  '02-degree.ndjson': { 'master-or-above': '1/2', 'college-lecturers-qualified': '1/1' },
  '03-training.ndjson': {
    'trained-digital-transformation': '1/2',
    'trained-digital-materials': '1/2',
    'trained-curriculum-outcomes': '0/2',
  },
  '04-transfer.ndjson': { 'college-lecturers-qualified': '1/2', 'master-or-above': '1/2' },
  '05-leave.ndjson': { 'master-or-above': '1/2', 'college-lecturers-qualified': '1/2' },
  '06-correction.ndjson': {
    'master-or-above': '0/2',
    'trained-digital-materials': '0/2',
    'trained-digital-transformation': '1/2',
    'college-lecturers-qualified': '1/2',
  },
};

/** Every text file of the repository, outside dependencies, builds and history. */
const repositoryFiles = (dir: string, out: string[] = []): string[] => {
  for (const name of readdirSync(dir)) {
    if (['node_modules', '.git', 'dist', '.tsc', 'coverage', '.nhagiao'].includes(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) repositoryFiles(full, out);
    else if (/\.(ts|md|json|js|yaml|yml|ndjson)$/.test(name)) out.push(full);
  }
  return out;
};

describe('the docs stand alone', () => {
  it('no file of the repository refers to the design brief kept outside it', () => {
    const brief = ['design', 'md'].join('.');
    const root = path.resolve(DOCS, '..');
    const referring = repositoryFiles(root).filter((f) => readFileSync(f, 'utf8').includes(brief));
    expect(referring.map((f) => path.relative(root, f))).toEqual([]);
  });
});

describe('the example files of docs/events.md', () => {
  let sandbox: ReturnType<typeof cliSandbox>;
  beforeAll(() => {
    sandbox = cliSandbox();
  });
  afterAll(() => sandbox.cleanup());

  const figures = async (asOf: string): Promise<Record<string, string>> => {
    const r = await sandbox.run(['indicators', '--as-of', asOf, '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as {
      indicator: string;
      numerator: number;
      denominator: number;
    }[];
    return Object.fromEntries(rows.map((f) => [f.indicator, `${f.numerator}/${f.denominator}`]));
  };

  it('are every one linked from the guide, and listed here', () => {
    const files = readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.ndjson'))
      .sort();
    expect(files).toEqual(Object.keys(EXPECTED));
    const guide = readFileSync(path.join(DOCS, 'events.md'), 'utf8');
    for (const f of files) expect(guide).toContain(`(examples/${f})`);
  });

  it('import in order into an empty store, each moving the figures the guide says', async () => {
    for (const [file, expected] of Object.entries(EXPECTED)) {
      const r = await sandbox.run(['import', path.join(EXAMPLES, file)]);
      expect({ file, code: r.code, stderr: r.stderr }).toEqual({
        file,
        code: 0,
        stderr: expect.any(String),
      });
      expect({ file, figures: await figures('2025-12-31') }).toEqual({
        file,
        figures: expect.objectContaining(expected),
      });
      if (file === '05-leave.ndjson') {
        // Counted up to the day before leftOn (2025-07-01).
        expect((await figures('2025-06-30'))['master-or-above']).toBe('1/3');
      }
    }
  });

  it('are idempotent: every file again appends nothing', async () => {
    for (const file of Object.keys(EXPECTED)) {
      const r = await sandbox.run(['import', path.join(EXAMPLES, file)]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/ 0 appended, \d+ duplicates, 0 rejected/);
    }
  });
});
