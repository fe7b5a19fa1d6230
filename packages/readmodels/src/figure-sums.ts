import { type Kysely, sql } from 'kysely';
import { CumulativeIndex, type AggRow, type UnitSum } from './cumulative.js';
import type { Engine } from './engine.js';
import { type Head, readHead } from './head.js';
import { num } from './rows.js';
import type { Database } from './schema.js';

/**
 * Where `figures()` takes the ledger's sums from:
 * - `memory` (default): cumulative sums per (indicator, unit) loaded at the first
 *   query, by reading every ledger row once, and kept up to date after; each
 *   later query is a binary search per pair. For a process that asks many times
 *   (the API server, verify recomputing each submitted report).
 * - `database`: each query sums the ledger in the database, in one statement
 *   read from the ledger's covering index. For a process that asks once or
 *   twice (a CLI command): over 252,653 ledger rows one query takes ~30 ms of
 *   CPU this way (SQLite), where loading the sums first reads every row.
 * Both give the same figures (the conformance suite runs with each).
 */
export type FigureSums = 'memory' | 'database';

/** (indicator, unit) ranges per known-at correction query, well under SQLite's expression depth. */
const KEYS_PER_QUERY = 150;

/**
 * The ledger's sums per (indicator, unit) as of a date. With `memory` sums,
 * "as of D, known now" is answered from cumulative sums held in memory and
 * merged with the rows of the (indicator, unit) pairs that changed when the
 * ledger grew (also by another process: writers record the pairs each batch
 * changed); "known at T" subtracts the rows recorded after T.
 */
export class LedgerSums {
  private readonly cache = new CumulativeIndex();
  private cached: Head | undefined;
  private refreshing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly engine: Engine,
    private readonly mode: FigureSums = 'memory',
  ) {}

  private get db() {
    return this.engine.db;
  }

  /** The sums as of `asOf` known at `knownAt` (default: now), and the head they reflect. */
  async sums(asOf: string, knownAt: bigint | undefined): Promise<{ head: Head; sums: UnitSum[] }> {
    if (this.mode === 'database') return this.sumsFromLedger(asOf, knownAt);
    const head = await this.refresh();
    let sums = this.cache.sumsAsOf(asOf);
    if (knownAt !== undefined && head.ledgerMax !== null && knownAt < head.ledgerMax) {
      sums = await this.subtractLate(sums, asOf, knownAt, head.ledgerMax);
    }
    return { head, sums };
  }

  /** Drops what is held (the tables were recreated by this handle). */
  forget(): void {
    this.cache.clear();
    this.cached = undefined;
  }

  /**
   * The sums in one statement over the ledger, with the same pairs as the
   * in-memory sums: every (indicator, unit) with a row valid by `asOf`, its rows
   * recorded after `knownAt` left out of the sums (so a pair whose rows all came
   * later is there with zeros, as `subtractLate` leaves it).
   */
  private async sumsFromLedger(
    asOf: string,
    knownAt: bigint | undefined,
  ): Promise<{ head: Head; sums: UnitSum[] }> {
    const counted = (column: 'd_num' | 'd_den') =>
      knownAt === undefined
        ? sql<string | number | bigint | null>`sum(${sql.ref(column)})`
        : sql<
            string | number | bigint | null
          >`sum(case when position <= ${knownAt} then ${sql.ref(column)} else 0 end)`;
    return this.engine.snapshot(async (trx) => {
      const head = await readHead(trx);
      const rows = await trx
        .selectFrom('ledger')
        .select(['indicator', 'unit_id', counted('d_num').as('n'), counted('d_den').as('d')])
        .where('valid_from', '<=', asOf)
        .groupBy(['indicator', 'unit_id'])
        .execute();
      return {
        head,
        sums: rows.map((r) => ({
          indicator: r.indicator,
          unitId: r.unit_id,
          numerator: num(r.n),
          denominator: num(r.d),
        })),
      };
    });
  }

  /** Brings the in-memory sums up to the stored ledger; returns the head they reflect. */
  private refresh(): Promise<Head> {
    // Merging is not idempotent: concurrent queries take turns, each seeing the
    // sums the previous one left.
    const next = this.refreshing.then(
      () => this.refreshNow(),
      () => this.refreshNow(),
    );
    this.refreshing = next;
    return next;
  }

  private async refreshNow(): Promise<Head> {
    const cached = this.cached;
    // One statement answers "nothing changed", the common case.
    const seen = await readHead(this.db);
    if (cached !== undefined && cached.epoch === seen.epoch && cached.ledgerMax === seen.ledgerMax)
      return seen;
    if (cached === undefined || cached.epoch !== seen.epoch || cached.ledgerMax === null) {
      return this.loadAll(seen);
    }
    const from = cached.ledgerMax;
    const merged = await this.engine.snapshot(async (trx) => {
      const head = await readHead(trx);
      if (head.epoch !== cached.epoch || head.ledgerMax === null) return undefined;
      const changed = await trx
        .selectFrom('ledger_changes')
        .select(['indicator', 'unit_id'])
        .distinct()
        .where('position', '>', from)
        .execute();
      const keys = changed.map((r) => [r.indicator, r.unit_id] as const);
      this.cache.add(await sumsPerKey(trx, keys, from, head.ledgerMax, undefined));
      this.cached = head;
      return head;
    });
    // Reset meanwhile: load afresh, outside the transaction (SQLite has one connection).
    return merged ?? this.loadAll(await readHead(this.db));
  }

  /**
   * Loads every sum, streaming the ledger's rows up to the head (rows never
   * change once written, and later batches only add higher positions), so a
   * million rows need neither a sort nor one big result in memory.
   */
  private async loadAll(head: Head): Promise<Head> {
    this.forget();
    if (head.ledgerMax !== null) {
      const rows = this.db
        .selectFrom('ledger')
        .select(['indicator', 'unit_id', 'valid_from', 'd_num', 'd_den'])
        .where('position', '<=', head.ledgerMax);
      await this.engine.forEachRow(rows, (r) =>
        this.cache.addOne(
          r['indicator'] as string,
          r['unit_id'] as string,
          r['valid_from'] as string,
          Number(r['d_num']),
          Number(r['d_den']),
        ),
      );
    }
    // A reset by another handle meanwhile makes what was read meaningless: start again.
    const after = await readHead(this.db);
    if (after.epoch !== head.epoch) return this.loadAll(after);
    this.cached = head;
    return head;
  }

  /** Removes from `sums` the rows recorded after `knownAt` (up to `upTo`, what the sums hold). */
  private async subtractLate(
    sums: UnitSum[],
    asOf: string,
    knownAt: bigint,
    upTo: bigint,
  ): Promise<UnitSum[]> {
    const byKey = new Map(sums.map((s) => [`${s.indicator}\u0000${s.unitId}`, { ...s }]));
    for (const r of await sumsPerKey(this.db, this.cache.keys(), knownAt, upTo, asOf)) {
      const key = `${r.indicator}\u0000${r.unitId}`;
      const s = byKey.get(key) ?? {
        indicator: r.indicator,
        unitId: r.unitId,
        numerator: 0,
        denominator: 0,
      };
      s.numerator -= r.dNum;
      s.denominator -= r.dDen;
      byKey.set(key, s);
    }
    return [...byKey.values()];
  }
}

const toAggRow = (r: {
  indicator: string;
  unit_id: string;
  valid_from: string;
  n: string | number | bigint | null;
  d: string | number | bigint | null;
}): AggRow => ({
  indicator: r.indicator,
  unitId: r.unit_id,
  validFrom: r.valid_from,
  dNum: num(r.n),
  dDen: num(r.d),
});

/**
 * Σ deltas per (indicator, unit, valid date) of the rows with after < position ≤ upTo
 * (and valid on or before `asOf`), read as one range of the ledger's index per
 * (indicator, unit).
 */
const sumsPerKey = async (
  db: Kysely<Database>,
  keys: readonly (readonly [string, string])[],
  after: bigint,
  upTo: bigint,
  asOf: string | undefined,
): Promise<AggRow[]> => {
  const out: AggRow[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    const chunk = keys.slice(i, i + KEYS_PER_QUERY);
    let query = db
      .selectFrom('ledger')
      .select((eb) => [
        'indicator',
        'unit_id',
        'valid_from',
        eb.fn.sum('d_num').as('n'),
        eb.fn.sum('d_den').as('d'),
      ])
      .where((eb) =>
        eb.or(
          chunk.map(([indicator, unitId]) =>
            eb.and([
              eb('indicator', '=', indicator),
              eb('unit_id', '=', unitId),
              eb('position', '>', after),
              eb('position', '<=', upTo),
            ]),
          ),
        ),
      );
    if (asOf !== undefined) query = query.where('valid_from', '<=', asOf);
    const rows = await query.groupBy(['indicator', 'unit_id', 'valid_from']).execute();
    for (const r of rows) out.push(toAggRow(r));
  }
  return out;
};
