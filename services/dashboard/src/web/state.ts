import { type Figures, type Plan, type Session, getJson, pooled, query } from './api.js';
import { type Point } from './forecast.js';
import { monthEnds } from './format.js';

export interface State {
  asOf: string;
  /** ISO instant of "as known at", or null for what is known now. */
  knownAt: string | null;
  session: Session;
  plan: Plan;
}

const figuresCache = new Map<string, Promise<Figures>>();

/** Province figures of every indicator as of a date (and as known at an instant). */
export const provinceFigures = (asOf: string, knownAt: string | null): Promise<Figures> => {
  const key = `${asOf}|${knownAt ?? ''}`;
  let hit = figuresCache.get(key);
  if (hit === undefined) {
    hit = getJson<Figures>(`/v1/indicators${query({ asOf, knownAt })}`);
    hit.catch(() => figuresCache.delete(key));
    figuresCache.set(key, hit);
  }
  return hit;
};

/** Each indicator's province value at every month end from January 2024 to `asOf`. */
export const monthlySeries = async (
  asOf: string,
  knownAt: string | null,
): Promise<Map<string, Point[]>> => {
  const dates = monthEnds('2024-01', asOf);
  const all = await pooled(
    dates.map((d) => () => provinceFigures(d, knownAt)),
    4,
  );
  const series = new Map<string, Point[]>();
  all.forEach((f, i) => {
    for (const row of f.figures) {
      const list = series.get(row.indicator) ?? [];
      list.push({ date: dates[i] ?? row.asOf, value: row.value });
      series.set(row.indicator, list);
    }
  });
  return series;
};

export const todayInVietnam = (): string =>
  new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
