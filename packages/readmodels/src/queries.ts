import type { Engine } from './engine.js';
import { ledgerDigest } from './digest.js';
import type { LedgerSums } from './figure-sums.js';
import { checkLedger } from './ledger-check.js';
import type { ReadModelQueries } from './ports.js';
import { big, num, parseStamps } from './rows.js';
import { figuresFrom, unitsInScope } from './scopes.js';
import type {
  FigureRow,
  FiguresQuery,
  HistoryRow,
  LedgerCheck,
  ReadModelLocation,
  ScopeQuery,
  TeacherContribution,
  UnitEventRecord,
} from './types.js';
import type { UnitTimelines } from './unit-timelines.js';
import { readCheckpoint } from './writer.js';

const LAST_DATE = '9999-12-31';

/**
 * The query side on any engine: every query is written once with Kysely. The
 * ledger's sums come from `LedgerSums` (in memory or summed at each query) and
 * units are mapped to scopes with the unit timeline at query time.
 */
export class KyselyQueries implements ReadModelQueries {
  constructor(
    private readonly engine: Engine,
    readonly version: string,
    readonly location: ReadModelLocation,
    private readonly sums: LedgerSums,
    private readonly units: UnitTimelines,
  ) {}

  private get db() {
    return this.engine.db;
  }

  async checkpoint(projection: string): Promise<bigint | null> {
    return readCheckpoint(this.db, projection);
  }

  async unitEvents(knownAt?: bigint): Promise<readonly UnitEventRecord[]> {
    const { events } = await this.units.events();
    return knownAt === undefined ? events : events.filter((e) => e.position <= knownAt);
  }

  async positionAt(instant: string): Promise<bigint | null> {
    const at = new Date(instant);
    if (Number.isNaN(at.getTime())) throw new RangeError(`"${instant}" is not an ISO-8601 instant`);
    const t = at.toISOString();
    // Batches wholly at or before the instant give their last position; those
    // around it are searched stamp by stamp.
    const whole = await this.db
      .selectFrom('positions')
      .select((eb) => eb.fn.max('last_position').as('position'))
      .where('max_recorded_at', '<=', t)
      .executeTakeFirst();
    let best = whole?.position == null ? null : big(whole.position);
    const around = await this.db
      .selectFrom('positions')
      .select('stamps')
      .where('min_recorded_at', '<=', t)
      .where('max_recorded_at', '>', t)
      .execute();
    for (const row of around) {
      for (const [position, recordedAt] of parseStamps(row.stamps)) {
        if (recordedAt <= t && (best === null || position > best)) best = position;
      }
    }
    return best;
  }

  async figures(q: FiguresQuery): Promise<readonly FigureRow[]> {
    const { head, sums } = await this.sums.sums(q.asOf, q.knownAt);
    const indicators =
      q.indicator === undefined ? q.indicators : q.indicators.filter((d) => d.code === q.indicator);
    const timeline = await this.units.timeline(q.knownAt, head);
    return figuresFrom(sums, timeline, indicators, q.by, q.asOf);
  }

  async history(q: ScopeQuery): Promise<readonly HistoryRow[]> {
    const unitIds = await this.scopeUnits(q);
    if (unitIds.length === 0) return [];
    let query = this.db
      .selectFrom('ledger')
      .select([
        'ledger.indicator',
        'ledger.unit_id',
        'ledger.valid_from',
        'ledger.position',
        'ledger.d_num',
        'ledger.d_den',
        'ledger.event_id',
        'ledger.teacher_id',
      ])
      .where('ledger.indicator', '=', q.indicator)
      .where('ledger.unit_id', 'in', unitIds);
    if (q.asOf !== undefined) query = query.where('ledger.valid_from', '<=', q.asOf);
    if (q.knownAt !== undefined) query = query.where('ledger.position', '<=', q.knownAt);
    const rows = await query
      .orderBy('ledger.position')
      .orderBy('ledger.valid_from')
      .orderBy('ledger.teacher_id')
      .orderBy('ledger.unit_id')
      .orderBy('ledger.event_id')
      .orderBy('ledger.d_num')
      .orderBy('ledger.d_den')
      .execute();
    const recordedAt = await this.recordedAt(rows.map((r) => big(r.position)));
    return rows.map((r) => ({
      indicator: r.indicator,
      unitId: r.unit_id,
      validFrom: r.valid_from,
      position: big(r.position),
      recordedAt: recordedAt.get(big(r.position)) ?? null,
      dNumerator: num(r.d_num),
      dDenominator: num(r.d_den),
      eventId: r.event_id,
      teacherId: r.teacher_id,
    }));
  }

  /**
   * When each of these positions was recorded, from the batches that cover them.
   * A batch's stamps mark where each run of one recording time ends (see
   * `PositionStamp`), so a position's time is that of the first stamp at or
   * after it: its batch ends with one, and any stamp of another batch in
   * between (a parallel replay's other shard) lies in the same run, since a
   * store's recording times never decrease along the log.
   */
  private async recordedAt(positions: readonly bigint[]): Promise<Map<bigint, string>> {
    const out = new Map<bigint, string>();
    if (positions.length === 0) return out;
    let lo = positions[0]!;
    let hi = lo;
    for (const p of positions) {
      if (p < lo) lo = p;
      if (p > hi) hi = p;
    }
    // A row's first_position is its first stamp, which may lie after the batch's
    // first events: the rows wanted are those up to the one holding the first
    // stamp at or after `hi`.
    const rows = await this.db
      .selectFrom('positions')
      .select('stamps')
      .where('last_position', '>=', lo)
      .where('first_position', '<=', (eb) =>
        eb.fn.coalesce(
          eb
            .selectFrom('positions')
            .select((e) => e.fn.min('last_position').as('m'))
            .where('last_position', '>=', hi),
          eb.val(hi),
        ),
      )
      .execute();
    const stamps = rows
      .flatMap((row) => parseStamps(row.stamps))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const p of positions) {
      let low = 0;
      let high = stamps.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (stamps[mid]![0] < p) low = mid + 1;
        else high = mid;
      }
      const found = stamps[low];
      if (found !== undefined) out.set(p, found[1]);
    }
    return out;
  }

  async teachersBehind(
    q: ScopeQuery & { readonly asOf: string },
  ): Promise<readonly TeacherContribution[]> {
    const unitIds = await this.scopeUnits(q);
    if (unitIds.length === 0) return [];
    let query = this.db
      .selectFrom('ledger')
      .select((eb) => ['teacher_id', eb.fn.sum('d_num').as('n'), eb.fn.sum('d_den').as('d')])
      .where('indicator', '=', q.indicator)
      .where('unit_id', 'in', unitIds)
      .where('valid_from', '<=', q.asOf);
    if (q.knownAt !== undefined) query = query.where('position', '<=', q.knownAt);
    const rows = await query.groupBy('teacher_id').orderBy('teacher_id').execute();
    return rows
      .map((r) => ({ teacherId: r.teacher_id, numerator: num(r.n), denominator: num(r.d) }))
      .filter((t) => t.numerator !== 0 || t.denominator !== 0);
  }

  digest(): Promise<string> {
    return ledgerDigest(this.engine);
  }

  ledgerCheck(projection: string): Promise<LedgerCheck> {
    return checkLedger(this.db, projection);
  }

  /** The unit ids whose rows make up the figure of `q.scope` for `q.indicator`. */
  private async scopeUnits(q: ScopeQuery): Promise<string[]> {
    const definition = q.indicators.find((d) => d.code === q.indicator);
    if (definition === undefined) throw new RangeError(`unknown indicator "${q.indicator}"`);
    const timeline = await this.units.timeline(q.knownAt);
    return unitsInScope(timeline, definition, q.scope, q.asOf ?? LAST_DATE, timeline.units.keys());
  }
}
