/**
 * Benchmark of the HTTP API on loopback (`npx tsx services/api/bench/api.bench.ts`).
 * TEACHERS (default 30000) sets the size of the store the figures are read from.
 * Prints: a plain Fastify "hello" route (baseline, same run), POST /v1/events in
 * batches of 500 (events/s), the same teachers' events by an integrator key
 * beside an admin key (the authority checks' cost), GET /v1/indicators by unit at 50 clients (p99), and
 * GET /v1/status at 10 clients with 2 MB NDJSON line bombs in flight (p99),
 * beside the same without a bomb.
 */
import { execFile } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import Fastify from 'fastify';
import { generateDataset } from '@nhagiao/dataset';
import {
  type Envelope,
  type RecordedEvent,
  createLedgerProjection,
  getPlan,
  isUnitEvent,
} from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { createIngestor } from '@nhagiao/ingest';
import { type UnitEventRecord, openSqliteReadModel } from '@nhagiao/readmodels';
import { openKeyStore } from '../src/keys/key-store.js';
import { serve } from '../src/server.js';

const TEACHERS = Number(process.env.TEACHERS ?? 30_000);
const POST_TEACHERS = Number(process.env.POST_TEACHERS ?? 6_000);
const DURATION = Number(process.env.DURATION ?? 10);
const BATCH = 500;
const out = (line: string): void => void process.stdout.write(`${line}\n`);

const plan = getPlan('bac-kan-423-2024');
if (plan === undefined) throw new Error('plan bac-kan-423-2024 missing');

const execFileAsync = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);

/** Runs autocannon in a child process (so it does not share the server's CPU) and returns its result. */
const run = async (
  options: autocannon.Options,
  bodies?: readonly string[],
): Promise<autocannon.Result> => {
  const args = [path.join(here, 'load-child.ts'), JSON.stringify(options)];
  if (bodies !== undefined) {
    const file = path.join(dir, `bodies-${Date.now()}.ndjson`);
    writeFileSync(file, bodies.join('\n'));
    args.push(file);
  }
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', ...args], {
    maxBuffer: 64 << 20,
  });
  return JSON.parse(stdout) as autocannon.Result;
};

const summary = (name: string, r: autocannon.Result): void =>
  out(
    `${name}: ${r.requests.average.toFixed(0)} req/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, errors ${r.errors}, non-2xx ${r.non2xx}`,
  );

const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-bench-'));
try {
  // 1. Baseline: a plain Fastify route on the same machine, same run.
  const hello = Fastify();
  hello.get('/hello', async () => ({ hello: 'world' }));
  const helloAddress = await hello.listen({ host: '127.0.0.1', port: 0 });
  summary(
    'baseline GET /hello (50 clients)',
    await run({ url: `${helloAddress}/hello`, connections: 50, duration: DURATION }),
  );
  await hello.close();

  // 2. Writes: an empty store, a realistic history posted in order in batches of 500.
  {
    const store = openSqliteEventStore(path.join(dir, 'write.sqlite'));
    const readModel = await openSqliteReadModel(path.join(dir, 'write-rm.sqlite'));
    const keys = openKeyStore(path.join(dir, 'keys.sqlite'));
    const secret = keys.create({ role: 'admin' }).secret;
    const { app, address } = await serve({
      port: 0,
      store,
      readModel,
      ingestor: createIngestor({ store }),
      keys,
      plan,
      limits: { requestsPerWindow: 1e9 },
    });
    const events = [...generateDataset({ teachers: POST_TEACHERS })];
    const bodies: string[] = [];
    for (let i = 0; i < events.length; i += BATCH)
      bodies.push(JSON.stringify(events.slice(i, i + BATCH)));
    // One connection: a batch may depend on the one before (a hire needs the registration).
    const result = await run(
      {
        url: `${address}/v1/events`,
        method: 'POST',
        connections: 1,
        // autocannon notices the end of a fixed amount of requests only at a sample:
        // every second by default, which would round a run of a few seconds up by up to one.
        sampleInt: 10,
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      },
      bodies,
    );
    const seconds = result.duration;
    out(
      `POST /v1/events, ${bodies.length} batches of ${BATCH} (${events.length} events): ${(events.length / seconds).toFixed(0)} events/s, batch p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`,
    );
    await app.close();
    await store.close();
    await readModel.close();
    keys.close();
  }

  // 2b. The authority checks of a unit's key: the same teachers' events posted by an admin key
  // (the Sở: no table to consult) and by an integrator key of every unit (the authority table,
  // merge chains and who registered each teacher consulted for every event), each on a fresh
  // store whose reference data (units, merges, programmes, funding) the Sở posted first, untimed.
  {
    const events = [...generateDataset({ teachers: POST_TEACHERS })];
    const aboutTeacher = (e: Envelope): boolean =>
      typeof (e.data as { teacherId?: unknown }).teacherId === 'string';
    const reference = events.filter((e) => !aboutTeacher(e));
    const teachers = events.filter(aboutTeacher);
    const mergedAway = new Set(
      reference.flatMap((e) => (e.type === 'UnitMerged' ? [e.data.unitId] : [])),
    );
    // A key of a merged-away unit records nothing: the key holds the surviving units, which write for them.
    const units = reference.flatMap((e) =>
      e.type === 'UnitRegistered' && !mergedAway.has(e.data.unitId) ? [e.data.unitId] : [],
    );
    const rates: Record<string, number> = {};
    for (const role of ['admin', 'integrator'] as const) {
      const store = openSqliteEventStore(path.join(dir, `authority-${role}.sqlite`));
      const readModel = await openSqliteReadModel(path.join(dir, `authority-${role}-rm.sqlite`));
      const keys = openKeyStore(path.join(dir, `authority-${role}-keys.sqlite`));
      const admin = keys.create({ role: 'admin' }).secret;
      const secret = role === 'admin' ? admin : keys.create({ role: 'integrator', units }).secret;
      const { app, address } = await serve({
        port: 0,
        store,
        readModel,
        ingestor: createIngestor({ store }),
        keys,
        plan,
        limits: { requestsPerWindow: 1e9 },
      });
      for (let i = 0; i < reference.length; i += BATCH) {
        const res = await fetch(`${address}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify(reference.slice(i, i + BATCH)),
        });
        if (res.status !== 200)
          throw new Error(`reference data: ${res.status} ${await res.text()}`);
      }
      const bodies: string[] = [];
      for (let i = 0; i < teachers.length; i += BATCH)
        bodies.push(JSON.stringify(teachers.slice(i, i + BATCH)));
      const result = await run(
        {
          url: `${address}/v1/events`,
          method: 'POST',
          connections: 1,
          sampleInt: 10,
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        },
        bodies,
      );
      rates[role] = teachers.length / result.duration;
      out(
        `POST /v1/events of teachers' events by an ${role} key, ${bodies.length} batches of ${BATCH} (${teachers.length} events): ${(rates[role] ?? 0).toFixed(0)} events/s, batch p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`,
      );
      await app.close();
      await store.close();
      await readModel.close();
      keys.close();
    }
    out(
      `authority checks of a unit's key: ${(((rates.integrator ?? 0) / (rates.admin ?? 1)) * 100).toFixed(0)} % of the admin key's rate in the same run`,
    );
  }

  // 3. Reads: a store of TEACHERS teachers, projected, then figures by unit at 50 clients.
  {
    const store = openSqliteEventStore(path.join(dir, 'read.sqlite'));
    const readModel = await openSqliteReadModel(path.join(dir, 'read-rm.sqlite'));
    const keys = openKeyStore(path.join(dir, 'keys-read.sqlite'));
    const secret = keys.create({ role: 'reporter' }).secret;
    const ingestor = createIngestor({ store });
    let t = Date.now();
    // Loaded in parts: the ingestor keeps a submission's outcomes in memory.
    let appended = 0;
    let rejected = 0;
    let part: { line: number; value: unknown }[] = [];
    const load = async (): Promise<void> => {
      const report = await ingestor.ingest(part, { mode: 'partial', source: 'bench' });
      appended += report.appended;
      rejected += report.rejected;
      part = [];
    };
    for (const value of generateDataset({ teachers: TEACHERS }) as Iterable<Envelope>) {
      part.push({ line: part.length + 1, value });
      if (part.length >= 10_000) await load();
    }
    await load();
    const report = { appended, rejected };
    out(
      `loaded ${report.appended} events of ${TEACHERS} teachers in ${((Date.now() - t) / 1000).toFixed(1)} s (rejected ${report.rejected})`,
    );
    t = Date.now();
    const projection = createLedgerProjection(plan.indicators);
    let chunk: RecordedEvent[] = [];
    let rows = 0;
    const flush = async (): Promise<void> => {
      const last = chunk[chunk.length - 1];
      if (last === undefined) return;
      const delta = chunk.flatMap((e) => projection.project(e));
      rows += delta.length;
      await readModel.applyBatch({
        projection: 'ledger',
        after: await readModel.checkpoint('ledger'),
        checkpoint: last.position,
        rows: delta,
        unitEvents: chunk.filter((e) => isUnitEvent(e)) as unknown as UnitEventRecord[],
        positions: chunk.map((e) => ({ position: e.position, recordedAt: e.recordedAt })),
      });
      chunk = [];
    };
    for await (const e of store.readAll()) {
      chunk.push(e);
      if (chunk.length >= 20_000) await flush();
    }
    await flush();
    out(`projected ${rows} ledger rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const { app, address } = await serve({
      port: 0,
      store,
      readModel,
      ingestor,
      keys,
      plan,
      limits: { requestsPerWindow: 1e9 },
    });
    const url = `${address}/v1/indicators?asOf=2025-12-31&by=unit`;
    const sample = await fetch(url, { headers: { authorization: `Bearer ${secret}` } });
    const figures = ((await sample.json()) as { figures: unknown[] }).figures.length;
    summary(
      `GET /v1/indicators by unit, ${figures} figures over ${TEACHERS} teachers (50 clients)`,
      await run({
        url,
        connections: 50,
        duration: DURATION,
        headers: { authorization: `Bearer ${secret}` },
      }),
    );

    // 4. GET /v1/status at 10 clients, alone and with 2 MB NDJSON line bombs (a
    // million short lines each) posted one after another meanwhile. The server's
    // event-loop delay (this process) is measured beside the clients' latency.
    const admin = keys.create({ role: 'admin' }).secret;
    const statusRun = async () => {
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      const result = await run({
        url: `${address}/v1/status`,
        connections: 10,
        duration: DURATION,
        headers: { authorization: `Bearer ${secret}` },
      });
      loop.disable();
      return { result, loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6 };
    };
    const alone = await statusRun();
    const bombs = execFileAsync(process.execPath, [
      '--import',
      'tsx',
      path.join(here, 'bomb-child.ts'),
      `${address}/v1/events`,
      admin,
      String(DURATION * 1000 + 2000),
      '1',
    ]);
    // The bombs are in flight before the measurement starts and until after it ends.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const bombed = await statusRun();
    const answered = JSON.parse((await bombs).stdout) as Record<string, number>;
    const ms = (v: number): string => v.toFixed(1);
    out(
      `GET /v1/status (10 clients): p99 ${bombed.result.latency.p99} ms with 2 MB line bombs in flight (target ≤ 100 ms; bombs answered ${JSON.stringify(answered)}), baseline without a bomb p99 ${alone.result.latency.p99} ms; ${bombed.result.requests.average.toFixed(0)} vs ${alone.result.requests.average.toFixed(0)} req/s, non-2xx ${bombed.result.non2xx} vs ${alone.result.non2xx}; server event-loop delay p99 ${ms(bombed.loopP99)} ms, max ${ms(bombed.loopMax)} ms vs ${ms(alone.loopP99)} ms, max ${ms(alone.loopMax)} ms`,
    );
    await app.close();
    await store.close();
    await readModel.close();
    keys.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
