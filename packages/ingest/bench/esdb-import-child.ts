/**
 * One import of the esdb-import benchmark in its own process, so that its
 * peak memory (maxRSS) is its own: `nhagiao import FILE --store URL` as the
 * product runs it (checked whole, then appended in windows, with its journal),
 * without the read-model update that follows. Prints one JSON line.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { PassThrough, Readable } from 'node:stream';
import { importFiles } from '../../../services/cli/src/commands/import.js';

const [file, url, dir] = process.argv.slice(2);
if (!file || !url || !dir) throw new Error('usage: esdb-import-child FILE URL DIR');
const stderr = new PassThrough();
let log = '';
stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
// What the import holds: the heap just after each full collection, at most.
let heldMb = 0;
const collections = new PerformanceObserver((list) => {
  for (const entry of list.getEntries())
    if (
      (entry as unknown as { detail?: { kind?: number } }).detail?.kind ===
      constants.NODE_PERFORMANCE_GC_MAJOR
    )
      heldMb = Math.max(heldMb, process.memoryUsage().heapUsed / 1e6);
});
collections.observe({ entryTypes: ['gc'] });
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
    heldMb,
  })}\n`,
);
collections.disconnect();
