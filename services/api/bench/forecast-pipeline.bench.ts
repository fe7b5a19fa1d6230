/**
 * What `GET /v1/pipeline` costs (`npx tsx services/api/bench/forecast-pipeline.bench.ts`).
 * TEACHERS (default 30000) sets the store's size. Prints: the cold fold of the
 * whole log into the pipeline's inputs (the first request after a start), the
 * heap it keeps, one province answer, every unit's answer, and catching up
 * after a small append (every later request after a write).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import { type Envelope, getPlan } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { createIngestor } from '@nhagiao/ingest';
import { pipelineCounts } from '../src/routes/pipeline-counts.js';
import { createPipelineSource } from '../src/routes/pipeline-facts.js';

const TEACHERS = Number(process.env.TEACHERS ?? 30_000);
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const ms = (from: bigint): string =>
  `${(Number(process.hrtime.bigint() - from) / 1e6).toFixed(0)} ms`;

const plan = getPlan('bac-kan-423-2024');
if (plan === undefined) throw new Error('plan bac-kan-423-2024 missing');

const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-bench-pipeline-'));
try {
  const store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
  const ingestor = createIngestor({ store });
  const all = [...(generateDataset({ teachers: TEACHERS }) as Iterable<Envelope>)];
  // The last teachers' events are held back, to be appended after the first answer.
  const tail = all.splice(all.length - 200);
  let t = process.hrtime.bigint();
  for (let i = 0; i < all.length; i += 10_000) {
    const part = all.slice(i, i + 10_000).map((value, j) => ({ line: j + 1, value }));
    await ingestor.ingest(part, { mode: 'partial', source: 'bench' });
  }
  const head = (await store.head()) ?? -1n;
  out(`loaded ${head} events of ${TEACHERS} teachers in ${ms(t)}`);

  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const source = createPipelineSource(store);
  t = process.hrtime.bigint();
  const snapshot = await source.at(head, (s) => s);
  out(`cold fold of the log (first request): ${ms(t)}, ${snapshot.teachers.size} teachers`);
  global.gc?.();
  out(
    `heap kept: ${((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(0)} MiB${global.gc === undefined ? ' (run with --expose-gc for a settled figure)' : ''}`,
  );

  for (const asOf of ['2025-06-30', '2025-12-31']) {
    t = process.hrtime.bigint();
    const counts = pipelineCounts(snapshot, plan, asOf, 'province', false);
    out(
      `province as of ${asOf}: ${ms(t)} (population ${counts.population}, studies ${counts.postgraduate.reduce((a, r) => a + r.studies, 0)}, departures ${counts.departures.reduce((a, r) => a + r.teachers, 0)})`,
    );
  }
  const units = [...snapshot.timeline.units.keys()];
  t = process.hrtime.bigint();
  for (const unitId of units) pipelineCounts(snapshot, plan, '2025-12-31', `unit:${unitId}`, false);
  out(`every unit (${units.length}) as of 2025-12-31: ${ms(t)}`);

  await ingestor.ingest(
    tail.map((value, j) => ({ line: j + 1, value })),
    { mode: 'partial', source: 'bench' },
  );
  t = process.hrtime.bigint();
  await source.at((await store.head()) ?? -1n, (s) => s);
  out(`catch up after appending ${tail.length} events: ${ms(t)}`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
