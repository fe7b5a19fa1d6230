import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AUTHORITY, ROLES } from '@nhagiao/domain';
import { cliSandbox } from '../test-support/run.js';

describe('nhagiao keys --help', () => {
  const box = cliSandbox();
  afterAll(() => box.cleanup());

  it('says what docs/authority.md and the API README say: every role, the Sở’s reference data', async () => {
    const help =
      (await box.run(['keys', '--help'])).stdout + (await box.run(['keys', '--help'])).stderr;
    expect(help).toContain('docs/authority.md');
    for (const role of ROLES) expect(help).toMatch(new RegExp(`^  ${role}\\b`, 'm'));
    // The Sở's reference data, as the table has it.
    const so = Object.entries(AUTHORITY).filter(([, rule]) => rule === 'so').length;
    expect(so).toBe(7);
    for (const word of ['Units', 'renames', 'areas', 'merges', 'programmes', 'topics', 'funding'])
      expect(help).toContain(word);
    const readme = readFileSync(path.resolve(__dirname, '../../../api/README.md'), 'utf8');
    expect(readme).toContain('docs/authority.md');
    expect(readme).toContain('`submittedAs`');
  });
});
