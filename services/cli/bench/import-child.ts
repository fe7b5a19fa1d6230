/**
 * One phase of the embedded benchmark in its own process, so its peak memory
 * (maxRSS) is its own: `import FILE STORE`, `rebuild STORE READMODEL` (as the
 * product rebuilds: one thread per core) or `rebuild-1 STORE READMODEL` (one thread).
 */
import { createReadStream } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getPlan } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { createIngestor, ndjsonItems } from '@nhagiao/ingest';
import { rebuild } from '@nhagiao/projector';
import { openSqliteReadModel } from '@nhagiao/readmodels';

const [phase, a, b] = process.argv.slice(2);
/**
 * The largest heap found just after a full collection: about what the phase
 * holds, where the peak RSS also counts garbage not collected yet, which varies
 * from run to run with V8's choice of when to collect.
 */
let heldBytes = 0;
const gcs = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const { kind } = (entry as unknown as { detail: { kind: number } }).detail;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR)
      heldBytes = Math.max(heldBytes, process.memoryUsage().heapUsed);
  }
});
gcs.observe({ entryTypes: ['gc'] });
const started = performance.now();
const cpuStart = process.cpuUsage();
let count = 0;
/** Peak memory of each replay worker process (a rebuild across processes). */
let shardsMb: readonly number[] = [];
if (phase === 'import' && a && b) {
  const store = openSqliteEventStore(b);
  const report = await createIngestor({ store }).ingest(ndjsonItems(createReadStream(a)), {
    source: a,
    keepOutcomes: false,
  });
  if (report.rejected > 0) throw new Error(`${report.rejected} lines rejected`);
  count = report.appended;
  await store.close();
} else if ((phase === 'rebuild' || phase === 'rebuild-1') && a && b) {
  const store = openSqliteEventStore(a, { readOnly: true });
  const plan = getPlan('bac-kan-423-2024');
  if (!plan) throw new Error('plan missing');
  // As `nhagiao rebuild` does: a new version beside the (empty) active one, then activated.
  const result = await rebuild({
    store,
    readModelFactory: (version) => openSqliteReadModel(b, version === undefined ? {} : { version }),
    indicators: plan.indicators,
    batchSize: 20000,
    parallel: phase === 'rebuild' ? {} : { workers: 1 },
  });
  count = result.applied;
  shardsMb = result.shardPeakRssMb ?? [];
  await store.close();
} else {
  throw new Error('usage: import FILE STORE | rebuild STORE READMODEL | rebuild-1 STORE READMODEL');
}
const ms = performance.now() - started;
gcs.disconnect();
const heldMb = heldBytes / 1048576;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
const ownMb = process.resourceUsage().maxRSS / 1024;
// Processes run at once: their peaks add up to at most the sum.
const maxRssMb = ownMb + shardsMb.reduce((a, b) => a + b, 0);
process.stdout.write(
  `${JSON.stringify({ count, ms, cpuMs, maxRssMb, ownMb, shardsMb, heldMb })}\n`,
);
