import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unitTimelineFrom } from '@nhagiao/domain';
import type { DeltaRow } from '@nhagiao/domain';
import { CumulativeIndex } from './cumulative.js';
import { openPostgresReadModel } from './postgres.js';
import { figuresFrom } from './scopes.js';
import { openSqliteReadModel } from './sqlite.js';
import { batchesOf, generateLedger, PLAN_INDICATORS } from './test-support/generate.js';
import { createTestDatabase } from './test-support/postgres.js';
import type { ReadModelStore } from './ports.js';
import type { FigureRow, ScopeKind } from './types.js';

const ledger = generateLedger({ teachers: 300, units: 8, seed: 7 });
const rows: DeltaRow[] = ledger.events.flatMap((e) => e.rows);
const last = ledger.events[ledger.events.length - 1]!.position;
const DATES = ['2016-06-30', '2024-12-31', '2025-08-01', '2025-12-31'];
const BY: ScopeKind[] = ['province', 'unit', 'area', 'kind'];
const KNOWN: (bigint | undefined)[] = [undefined, last / 3n, (last * 2n) / 3n];

/** The figures computed the slow, obvious way: sum every row in memory. */
const oracle = (asOf: string, by: ScopeKind, knownAt: bigint | undefined): FigureRow[] => {
  const index = new CumulativeIndex();
  index.add(
    rows
      .filter((r) => r.validFrom <= asOf && (knownAt === undefined || r.position <= knownAt))
      .map((r) => ({
        indicator: r.indicator,
        unitId: r.unitId,
        validFrom: r.validFrom,
        dNum: r.dNumerator,
        dDen: r.dDenominator,
      })),
  );
  const units = ledger.unitEvents.filter((e) => knownAt === undefined || e.position <= knownAt);
  return figuresFrom(index.sumsAsOf(asOf), unitTimelineFrom(units), PLAN_INDICATORS, by, asOf);
};

let dir: string;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let sqlite: ReadModelStore;
let postgres: ReadModelStore;
/** Handles on the same ledgers that sum it in the database at each query. */
let sqliteSummed: ReadModelStore;
let postgresSummed: ReadModelStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'readmodels-cross-'));
  database = await createTestDatabase('cross');
  sqlite = await openSqliteReadModel(join(dir, 'rm.sqlite'));
  postgres = await openPostgresReadModel(database.url);
  sqliteSummed = await openSqliteReadModel(join(dir, 'rm.sqlite'), { figureSums: 'database' });
  postgresSummed = await openPostgresReadModel(database.url, { figureSums: 'database' });
  // Figures asked between batches make the stores refresh their sums incrementally.
  for (const [i, batch] of batchesOf(ledger, 97).entries()) {
    await sqlite.applyBatch(batch);
    await postgres.applyBatch(batch);
    if (i % 5 === 0) {
      await sqlite.figures({ indicators: PLAN_INDICATORS, asOf: '2025-12-31', by: 'unit' });
      await postgres.figures({ indicators: PLAN_INDICATORS, asOf: '2025-12-31', by: 'unit' });
    }
  }
});

afterAll(async () => {
  await sqlite.close();
  await postgres.close();
  await sqliteSummed.close();
  await postgresSummed.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('SQLite and PostgreSQL give identical answers', () => {
  it('figures by every scope, date and known-at equal each other and the in-memory sum, with sums kept in memory or summed in the database', async () => {
    expect(rows.length).toBeGreaterThan(3000);
    for (const asOf of DATES) {
      for (const by of BY) {
        for (const knownAt of KNOWN) {
          const query = {
            indicators: PLAN_INDICATORS,
            asOf,
            by,
            ...(knownAt === undefined ? {} : { knownAt }),
          };
          const expected = oracle(asOf, by, knownAt);
          expect(await sqlite.figures(query)).toEqual(expected);
          expect(await postgres.figures(query)).toEqual(expected);
          expect(await sqliteSummed.figures(query)).toEqual(expected);
          expect(await postgresSummed.figures(query)).toEqual(expected);
        }
      }
    }
  });

  it('history, teachers behind and digest are equal', async () => {
    for (const scope of ['province', 'unit:u03', 'area:area-new', 'kind:college'] as const) {
      for (const indicator of ['master-or-above', 'college-lecturers-qualified']) {
        const q = { indicators: PLAN_INDICATORS, indicator, scope, asOf: '2025-12-31' };
        const history = await sqlite.history(q);
        expect(await postgres.history(q)).toEqual(history);
        const behind = await sqlite.teachersBehind(q);
        expect(await postgres.teachersBehind({ ...q, knownAt: last })).toEqual(behind);
      }
    }
    const unitHistory = await sqlite.history({
      indicators: PLAN_INDICATORS,
      indicator: 'master-or-above',
      scope: 'unit:u03',
    });
    expect(unitHistory.length).toBeGreaterThan(0);
    expect(await sqlite.digest()).toBe(await postgres.digest());
  });
});
