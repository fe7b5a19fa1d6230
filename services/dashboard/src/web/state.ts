import { lang } from './i18n.js';
import { type DashboardOverview, type Plan, type Session, getJson, query } from './api.js';

export interface State {
  asOf: string;
  /** ISO instant of "as known at", or null for what is known now. */
  knownAt: string | null;
  session: Session;
  plan: Plan;
}

/** Parameters every page carries in its URL, so any view can be bookmarked or shared. */
export const SHARED_PARAMS = ['asOf', 'knownAt'] as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export const todayInVietnam = (): string =>
  new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

/** The page and its parameters from the URL's fragment: `#/units?asOf=2025-12-31`. */
export const route = (): { path: string; params: URLSearchParams } => {
  const hash = location.hash.replace(/^#/, '');
  const [path = '', search = ''] = hash.split('?');
  return { path: path.startsWith('/') ? path : '/overview', params: new URLSearchParams(search) };
};

/** "As of" and "as known at" from the URL; a malformed value falls back to the default. */
export const sharedFromUrl = (
  params: URLSearchParams,
): { asOf: string; knownAt: string | null } => {
  const asOf = params.get('asOf') ?? '';
  const knownAt = params.get('knownAt') ?? '';
  return {
    asOf: DATE.test(asOf) && !Number.isNaN(Date.parse(asOf)) ? asOf : todayInVietnam(),
    knownAt: INSTANT.test(knownAt) && !Number.isNaN(Date.parse(knownAt)) ? knownAt : null,
  };
};

/** A link to a page that keeps the shared state (date, known-at) and adds `params`. */
export const link = (
  path: string,
  state: Pick<State, 'asOf' | 'knownAt'>,
  params: Record<string, string | null | undefined> = {},
): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== null && v !== undefined && v !== '') q.set(k, v);
  if (state.asOf !== todayInVietnam()) q.set('asOf', state.asOf);
  if (state.knownAt !== null) q.set('knownAt', state.knownAt);
  if (lang() === 'en') q.set('lang', 'en');
  const text = q.toString();
  return `#${path}${text === '' ? '' : `?${text}`}`;
};

const overviewCache = new Map<string, Promise<DashboardOverview>>();

/** The scorecard's facts as of a date (and as known at an instant): one request, kept while the page lives. */
export const overviewData = (asOf: string, knownAt: string | null): Promise<DashboardOverview> => {
  const key = `${asOf}|${knownAt ?? ''}`;
  let hit = overviewCache.get(key);
  if (hit === undefined) {
    hit = getJson<DashboardOverview>(`/v1/dashboard/overview${query({ asOf, knownAt })}`);
    hit.catch(() => overviewCache.delete(key));
    overviewCache.set(key, hit);
  }
  return hit;
};

/** Forget cached answers (after a write, or to re-read). */
export const forgetOverview = (): void => overviewCache.clear();

/** Where the reader was before this page (within the dashboard), for "back" links. */
const trail: string[] = [];
export const noteVisit = (hash: string): void => {
  if (trail.at(-1) !== hash) trail.push(hash);
  if (trail.length > 50) trail.shift();
};
/** The previous page's URL, else the overview with the shared state. */
export const backHref = (state: Pick<State, 'asOf' | 'knownAt'>): string =>
  trail.length >= 2 ? (trail[trail.length - 2] as string) : link('/overview', state);
