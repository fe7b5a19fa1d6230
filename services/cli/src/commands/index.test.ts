import { readdirSync } from 'node:fs';
import { commands } from './index.js';

describe('the list of commands --help prints without loading them', () => {
  it('names each command as its module does, once each', async () => {
    const names = commands.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of commands) expect((await entry.load()).name).toBe(entry.name);
  });

  it('lists every command module', async () => {
    const loaded = new Set(await Promise.all(commands.map((c) => c.load())));
    const exported = new Set<unknown>();
    // Every `…Command` / `…CommandLine` a module of this folder exports is in the list.
    for (const file of readdirSync(__dirname)) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file === 'index.ts') continue;
      const exports = (await import(`./${file.replace(/\.ts$/, '.js')}`)) as Record<
        string,
        unknown
      >;
      for (const [name, value] of Object.entries(exports))
        if (
          /Command(Line)?$/.test(name) &&
          typeof value === 'object' &&
          value !== null &&
          'run' in value
        ) {
          exported.add(value);
          expect({ name, listed: loaded.has(value as never) }).toEqual({ name, listed: true });
        }
    }
    expect(exported.size).toBe(commands.length);
  });
});
