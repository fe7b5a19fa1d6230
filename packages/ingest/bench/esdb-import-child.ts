/**
 * One import of the esdb-import benchmark in its own process, so that its
 * peak memory (maxRSS) is its own: `nhagiao import FILE --store URL` as the
 * product runs it (checked whole, then appended in windows, with its journal),
 * without the read-model update that follows. Prints one JSON line.
 */
import { PassThrough, Readable } from 'node:stream';
import { importFiles } from '../../../services/cli/src/commands/import.js';

const [file, url, dir] = process.argv.slice(2);
if (!file || !url || !dir) throw new Error('usage: esdb-import-child FILE URL DIR');
const stderr = new PassThrough();
let log = '';
stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
const started = performance.now();
const { reports, rejected } = await importFiles(
  {
    stdout: new PassThrough(),
    stderr,
    stdin: Readable.from(['']),
    signal: new AbortController().signal,
  },
  // A production read model (not updated by import): the figure is the import's alone.
  {
    dataDir: dir,
    store: { kind: 'esdb', url },
    readModel: { kind: 'postgres', url: 'postgres://unused' },
  },
  [file],
  { quiet: true },
);
const ms = performance.now() - started;
if (rejected > 0) throw new Error(`${rejected} lines rejected:\n${log}`);
process.stdout.write(
  `${JSON.stringify({
    appended: reports[0]?.appended ?? 0,
    duplicates: reports[0]?.duplicates ?? 0,
    ms,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
