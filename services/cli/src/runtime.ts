import { existsSync, mkdirSync } from 'node:fs';
import { DateTime } from 'luxon';
import {
  type Plan,
  type ResolvedUnit,
  type UnitTimeline,
  VIETNAM_ZONE,
  getPlan,
  isCalendarDate,
  plans,
  resolveUnit,
  unitTimelineFrom,
} from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore/port';
import { openSqliteEventStore } from '@nhagiao/eventstore/sqlite';
import type { FigureSums, ReadModelQueries, ReadModelStore } from '@nhagiao/readmodels';
import { openSqliteReadModel } from '@nhagiao/readmodels/sqlite';
import { catchUp } from '@nhagiao/projector/embedded';
import path from 'node:path';
import { type KeyStore, openKeyStore } from '@nhagiao/api/keys';
import type { DataConfig } from './config.js';
import { CliError, usageError } from './errors.js';

export const DEFAULT_PLAN = 'bac-kan-423-2024';

export const planOf = (code: unknown): Plan => {
  const wanted = typeof code === 'string' ? code : DEFAULT_PLAN;
  const plan = getPlan(wanted);
  if (!plan)
    throw usageError(`--plan ${wanted}: unknown plan (known: ${[...plans.keys()].join(', ')})`);
  return plan;
};

/** Today in Vietnam, as a business date. */
export const todayInVietnam = (): string => DateTime.now().setZone(VIETNAM_ZONE).toISODate() ?? '';

/**
 * A date option's value, or `fallback` when it was not given: a function is
 * called only then, so a command given the date does not work out today's
 * (luxon's first use of time zones and locales costs ~20 ms of start-up).
 */
export const dateOption = (
  value: unknown,
  flag: string,
  fallback?: string | (() => string),
): string => {
  if (value === undefined && fallback !== undefined)
    return typeof fallback === 'function' ? fallback() : fallback;
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw usageError(`${flag} ${String(value ?? '')}: expected a date YYYY-MM-DD that exists`);
  }
  return value;
};

export const openStore = async (
  config: DataConfig,
  options: { readOnly?: boolean } = {},
): Promise<EventStore> => {
  if (config.store.kind === 'esdb') {
    const { openEsdbEventStore } = await import('@nhagiao/eventstore');
    // Retries, resubscriptions and giving up are reported on stderr, one JSON line each.
    return openEsdbEventStore(config.store.url, {
      logger: {
        warn: (message, fields) =>
          process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`),
      },
    });
  }
  if (options.readOnly) {
    if (!existsSync(config.store.path)) {
      throw new CliError(
        `no event store at ${config.store.path}: import events first (nhagiao import FILE, or nhagiao demo), or pass --data-dir`,
      );
    }
    return openSqliteEventStore(config.store.path, { readOnly: true });
  }
  mkdirSync(config.dataDir, { recursive: true });
  return openSqliteEventStore(config.store.path);
};

export const openReadModel = async (
  config: DataConfig,
  version?: string,
  figureSums?: FigureSums,
): Promise<ReadModelStore> => {
  const options = {
    ...(version ? { version } : {}),
    ...(figureSums ? { figureSums } : {}),
  };
  if (config.readModel.kind === 'postgres') {
    // Loaded only here: the PostgreSQL client is not needed by the embedded product.
    const { openPostgresReadModel } = await import('@nhagiao/readmodels/postgres');
    return openPostgresReadModel(config.readModel.url, options);
  }
  mkdirSync(config.dataDir, { recursive: true });
  return openSqliteReadModel(config.readModel.path, options);
};

/** True when the read model is the embedded one, which this process keeps up to date itself. */
export const embeddedReadModel = (config: DataConfig): boolean =>
  config.readModel.kind === 'sqlite';

/**
 * Opens the read model for a query. The embedded one is first brought up to the
 * store's head (projections run in process); a production one (PostgreSQL, fed by
 * `nhagiao project`) is read as it is. A command asks for figures once or twice,
 * so by default they are summed in the database at each query rather than
 * loaded into memory first (`FigureSums`); one that asks many times says `memory`.
 */
export const readModelForQuery = async (
  config: DataConfig,
  plan: Plan,
  figureSums: FigureSums = 'database',
): Promise<ReadModelStore> => {
  if (
    embeddedReadModel(config) &&
    config.store.kind === 'sqlite' &&
    !existsSync(config.store.path)
  ) {
    // An empty answer would look like a province with no teachers: say what is missing instead.
    throw new CliError(
      `no event store at ${config.store.path}: import events first (nhagiao import FILE, or nhagiao demo), or pass --data-dir`,
    );
  }
  const readModel = await openReadModel(config, undefined, figureSums);
  if (!embeddedReadModel(config)) return readModel;
  const store = await openStore(config, { readOnly: true });
  try {
    await catchUp({ store, readModel, indicators: plan.indicators });
  } finally {
    await store.close();
  }
  return readModel;
};

/** `--known-at`: a position (digits) or an ISO-8601 instant, turned into a position. */
export const knownAtOption = async (
  value: unknown,
  readModel: Pick<ReadModelQueries, 'positionAt'>,
): Promise<bigint | undefined> => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw usageError('--known-at needs a value');
  if (/^\d+$/.test(value)) return BigInt(value);
  const instant = DateTime.fromISO(value, { zone: VIETNAM_ZONE });
  if (!instant.isValid) {
    throw usageError(
      `--known-at ${value}: expected a position (digits) or a time such as 2026-01-15T08:00:00+07:00`,
    );
  }
  return (await readModel.positionAt(instant.toUTC().toISO() ?? value)) ?? 0n;
};

export const scopeOption = (
  value: unknown,
): 'province' | `unit:${string}` | `area:${string}` | `kind:${string}` => {
  const s = typeof value === 'string' ? value : 'province';
  if (s === 'province' || /^(unit|area|kind):[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s)) {
    return s as 'province';
  }
  throw usageError(`--scope ${s}: expected province, unit:<unitId>, area:<code> or kind:<kind>`);
};

export interface UnitNames {
  readonly timeline: UnitTimeline;
  resolve(unitId: string): ResolvedUnit | undefined;
}

/** The unit timeline as known at `knownAt`, to name units and map them to scopes on `asOf`. */
export const unitNames = async (
  readModel: Pick<ReadModelQueries, 'unitEvents'>,
  asOf: string,
  knownAt?: bigint,
): Promise<UnitNames> => {
  const timeline = unitTimelineFrom(await readModel.unitEvents(knownAt));
  return { timeline, resolve: (unitId) => resolveUnit(timeline, unitId, asOf, knownAt) };
};

/** The API keys of this data dir (hashed, in DIR/keys.sqlite). */
export const openKeys = (config: DataConfig): KeyStore => {
  mkdirSync(config.dataDir, { recursive: true });
  return openKeyStore(path.join(config.dataDir, 'keys.sqlite'));
};
