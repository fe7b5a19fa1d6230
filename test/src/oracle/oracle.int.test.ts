import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli } from '@nhagiao/cli';
import { generateDataset } from '@nhagiao/dataset';
import type { Envelope, RecordedEvent } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { EDGE_DATES, edgeEvents } from './edge-events.js';
import { STANDARD_EDGE_DATES } from './edge-standard.js';
import { type Count, ORACLE_INDICATORS, figureKey, oracleFigures } from './oracle.js';

const BYS = ['province', 'unit', 'area', 'kind'] as const;
const QUARTER_ENDS = [2023, 2024, 2025, 2026].flatMap((y) =>
  ['03-31', '06-30', '09-30', '12-31'].map((md) => `${y}-${md}`),
);
const DATES = [...new Set([...QUARTER_ENDS, ...EDGE_DATES, ...STANDARD_EDGE_DATES])].sort();
/** Dates also asked as known at earlier positions (every one of them would be too slow). */
const KNOWN_AT_DATES = ['2024-06-30', '2025-03-31', '2025-06-30', '2025-09-30', '2026-03-31'];

const text = (stream: PassThrough): (() => string) => {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return () => Buffer.concat(chunks).toString('utf8');
};

/** The real `nhagiao` command, in process, against one data dir. */
const nhagiao = async (dir: string, args: readonly string[]) => {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = text(stdout);
  const err = text(stderr);
  const code = await runCli([...args, '--data-dir', dir], {
    stdout,
    stderr,
    stdin: Readable.from(['']),
    env: {},
  });
  return { code, stdout: out(), stderr: err() };
};

interface ProductRow {
  readonly indicator: string;
  readonly scope: string;
  readonly numerator: number;
  readonly denominator: number;
}

const productFigures = async (
  dir: string,
  asOf: string,
  by: (typeof BYS)[number],
  knownAt?: bigint,
): Promise<Map<string, Count>> => {
  const args = ['indicators', '--as-of', asOf, '--by', by, '--format', 'json'];
  if (knownAt !== undefined) args.push('--known-at', String(knownAt));
  const run = await nhagiao(dir, args);
  if (run.code !== 0) throw new Error(`nhagiao ${args.join(' ')}: ${run.stderr}`);
  const rows = JSON.parse(run.stdout) as ProductRow[];
  return new Map(
    rows.map((r) => [
      figureKey(r.indicator, r.scope),
      { numerator: r.numerator, denominator: r.denominator },
    ]),
  );
};

const scopeKind = (key: string): string => {
  const scope = key.slice(key.indexOf('|') + 1);
  return scope === 'province' ? 'province' : scope.slice(0, scope.indexOf(':'));
};

/**
 * Every difference between the product and the oracle for one query, as lines a
 * person can read. A scope missing on one side counts as 0/0 there: the product
 * may list areas no unit has on that date, but never a figure the oracle lacks.
 */
const differences = (
  product: Map<string, Count>,
  oracle: Map<string, Count>,
  by: (typeof BYS)[number],
  label: string,
): string[] => {
  const out: string[] = [];
  const keys = new Set([
    ...product.keys(),
    ...[...oracle.keys()].filter((k) => scopeKind(k) === by),
  ]);
  for (const key of keys) {
    const p = product.get(key) ?? { numerator: 0, denominator: 0 };
    const o = oracle.get(key) ?? { numerator: 0, denominator: 0 };
    if (p.numerator !== o.numerator || p.denominator !== o.denominator) {
      out.push(
        `${label} ${key}: product ${p.numerator}/${p.denominator}, oracle ${o.numerator}/${o.denominator}`,
      );
    }
  }
  // Units and kinds are listed even at 0/0 (docs/indicators.md), so each must be there.
  if (by === 'unit' || by === 'kind' || by === 'province') {
    for (const key of oracle.keys()) {
      if (scopeKind(key) === by && !product.has(key)) out.push(`${label} ${key}: not listed`);
    }
  }
  return out;
};

/** Imports the envelopes through the CLI in the given batches and reads the log back. */
const importAndRead = async (
  dir: string,
  batches: readonly (readonly Envelope[])[],
): Promise<RecordedEvent[]> => {
  for (const [i, batch] of batches.entries()) {
    const file = path.join(dir, `input-${i}.ndjson`);
    writeFileSync(file, batch.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const run = await nhagiao(dir, ['import', file]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({
      code: 0,
      stderr: expect.stringContaining(' 0 rejected') as unknown,
    });
  }
  const store = openSqliteEventStore(path.join(dir, 'events.sqlite'), { readOnly: true });
  try {
    const events: RecordedEvent[] = [];
    for await (const e of store.readAll()) events.push(e);
    return events;
  } finally {
    await store.close();
  }
};

const positionOf = (events: readonly RecordedEvent[], id: string): bigint => {
  const e = events.find((x) => x.id === id);
  if (!e) throw new Error(`event ${id} not in the log`);
  return e.position;
};

describe.each([{ seed: 423 }, { seed: 20250701 }])(
  'the product figures equal the independent oracle (seed $seed)',
  ({ seed }) => {
    let dir: string;
    let events: RecordedEvent[];
    const edges = edgeEvents();

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-oracle-'));
      events = await importAndRead(dir, [
        [...generateDataset({ teachers: 400, seed })],
        edges.history,
        edges.corrections,
      ]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('oracle sanity: the hand-written edges come out as the rules say', () => {
      const f = (asOf: string, indicator: string, scope: string, knownAt?: bigint) =>
        oracleFigures(events, asOf, knownAt).get(figureKey(indicator, scope));
      // Merge chain: ox-t1 (ox-prv) counts under ox-col from 2025-03-31, with ox-t2, ox-t3, ox-t4.
      expect(f('2025-03-30', 'master-or-above', 'unit:ox-col')).toEqual({
        numerator: 0,
        denominator: 2,
      });
      expect(f('2025-03-31', 'master-or-above', 'unit:ox-col')).toEqual({
        numerator: 2,
        denominator: 5,
      });
      // ox-t1's master revoked on 2025-06-30; ox-t5 (hired into ox-prv on 2025-06-01) holds one.
      expect(f('2025-06-29', 'master-or-above', 'unit:ox-col')).toEqual({
        numerator: 3,
        denominator: 6,
      });
      expect(f('2025-06-30', 'master-or-above', 'unit:ox-col')).toEqual({
        numerator: 2,
        denominator: 6,
      });
      // ox-t2's licence expires on 2025-09-30.
      expect(f('2025-09-29', 'college-lecturers-qualified', 'area:ox.a1')).toEqual({
        numerator: 5,
        denominator: 6,
      });
      expect(f('2025-09-30', 'college-lecturers-qualified', 'area:ox.a9')).toEqual({
        numerator: 4,
        denominator: 6,
      });
      // The topic correction counts ox-t1 for digital materials once it is recorded.
      const correction = correctionOf('ProgrammeTopicsCorrected');
      const before = positionOf(events, correction) - 1n;
      expect(f('2024-06-30', 'trained-digital-materials', 'unit:ox-ctr', before)).toEqual({
        numerator: 0,
        denominator: 3,
      });
      expect(f('2024-06-30', 'trained-digital-materials', 'unit:ox-ctr')).toEqual({
        numerator: 1,
        denominator: 3,
      });
    });

    const correctionOf = (type: string): string => {
      const correction = edges.corrections.find((e) => e.type === type);
      if (!correction) throw new Error(`no ${type} among the edge corrections`);
      return correction.id;
    };
    const mergeOf = (unitId: string): RecordedEvent => {
      const merge = events.find((e) => e.type === 'UnitMerged' && e.data.unitId === unitId);
      if (!merge) throw new Error(`no merge of ${unitId}`);
      return merge;
    };

    it('every (indicator, scope) matches for every date, scope kind and known-at', async () => {
      const head = events.at(-1)?.position ?? 0n;
      const firstEdge = positionOf(events, edges.history[0]?.id ?? '');
      const knownAts = [
        head / 3n,
        firstEdge - 1n, // the generated dataset alone, reorganisation included
        mergeOf('ox-prv').position, // between the two merges
        positionOf(events, correctionOf('DegreeRevoked')), // revocation known, retractions not
        positionOf(events, correctionOf('ProgrammeTopicsCorrected')) - 1n, // retractions known, topics not
      ];
      const queries: { asOf: string; knownAt?: bigint }[] = [
        ...DATES.map((asOf) => ({ asOf })),
        ...KNOWN_AT_DATES.flatMap((asOf) => knownAts.map((knownAt) => ({ asOf, knownAt }))),
      ];
      const found: string[] = [];
      let compared = 0;
      for (const q of queries) {
        const oracle = oracleFigures(events, q.asOf, q.knownAt);
        for (const by of BYS) {
          const product = await productFigures(dir, q.asOf, by, q.knownAt);
          const label = `as of ${q.asOf}${q.knownAt === undefined ? '' : ` known at ${q.knownAt}`} by ${by}:`;
          found.push(...differences(product, oracle, by, label));
          compared += product.size;
        }
      }
      expect(compared).toBeGreaterThan(queries.length * ORACLE_INDICATORS.length * 10);
      expect(found).toEqual([]);
    }, 120_000);
  },
);
