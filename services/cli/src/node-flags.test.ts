import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_NODE_FLAGS } from './node-flags.js';

const rootPackage = path.resolve(__dirname, '../../../package.json');

describe('the flags the nhagiao command starts with', () => {
  it('are those the package.json script passes to node, before the launcher of the build', () => {
    const scripts = (
      JSON.parse(readFileSync(rootPackage, 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['nhagiao']).toBe(
      ['node', ...CLI_NODE_FLAGS, 'services/cli/scripts/run.mjs'].join(' '),
    );
  });
});
