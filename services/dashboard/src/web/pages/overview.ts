import type { Figure, PlanIndicator } from '../api.js';
import { lineChart } from '../chart.js';
import { clear, h } from '../dom.js';
import { type Status, currentTarget, pace, statusFor } from '../forecast.js';
import { formatInteger, formatPercent, formatPoints } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, monthlySeries, provinceFigures } from '../state.js';

const SYMBOL: Record<Status, string> = {
  met: '✓',
  'on-track': '↗',
  'at-risk': '!',
  'off-track': '✗',
  unknown: '?',
};

export const statusBadge = (status: Status, year: number | undefined) =>
  h(
    'span',
    { class: `status status-${status}`, 'data-status': status },
    h('span', { 'aria-hidden': 'true' }, SYMBOL[status], ' '),
    t().statuses[status],
    year === undefined ? '' : h('span', { class: 'status-by' }, ` (${t().statusBy(year)})`),
  );

const targetsList = (indicator: PlanIndicator) =>
  h(
    'dl',
    { class: 'targets' },
    [2025, 2030].map((year) => {
      const target = indicator.targets.find((x) => x.year === year);
      return [
        h('dt', {}, `${t().target} ${year}`),
        h(
          'dd',
          {},
          target === undefined
            ? `— (${t().targetNone})`
            : `≥ ${formatPercent(target.target, lang())}`,
        ),
      ];
    }),
  );

const card = (
  indicator: PlanIndicator,
  shown: Figure | undefined,
  corrected: Figure | undefined,
  state: State,
) => {
  const name = indicator.title[lang()];
  const id = `card-${indicator.code}`;
  const diff =
    state.knownAt !== null && shown !== undefined && corrected !== undefined
      ? (corrected.value ?? 0) - (shown.value ?? 0)
      : null;
  const changed =
    diff !== null &&
    (corrected?.numerator !== shown?.numerator || corrected?.denominator !== shown?.denominator);
  return h(
    'article',
    { class: 'card', id, 'data-indicator': indicator.code, 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, name),
    h(
      'p',
      { class: 'value' },
      state.knownAt === null ? '' : h('span', { class: 'tag' }, `${t().published}: `),
      h('span', { 'data-testid': 'value' }, formatPercent(shown?.value ?? null, lang())),
    ),
    h(
      'p',
      { class: 'ratio' },
      h(
        'abbr',
        { title: t().numerator },
        h('span', { 'data-testid': 'numerator' }, formatInteger(shown?.numerator ?? 0, lang())),
      ),
      ' / ',
      h(
        'abbr',
        { title: t().denominator },
        h('span', { 'data-testid': 'denominator' }, formatInteger(shown?.denominator ?? 0, lang())),
      ),
    ),
    diff === null
      ? null
      : h(
          'p',
          { class: changed ? 'correction changed' : 'correction', 'data-testid': 'correction' },
          changed
            ? [
                h('span', { 'aria-hidden': 'true' }, 'Δ '),
                `${t().corrected}: `,
                h(
                  'strong',
                  { 'data-testid': 'corrected-value' },
                  formatPercent(corrected?.value ?? null, lang()),
                ),
                ` (${formatInteger(corrected?.numerator ?? 0, lang())} / ${formatInteger(corrected?.denominator ?? 0, lang())}; ${t().difference} ${formatPoints(diff, lang())})`,
              ]
            : t().noDifference,
        ),
    targetsList(indicator),
    h('p', { class: 'status-line', 'data-testid': 'status' }, `${t().status}: `, t().chartLoading),
    h('div', { class: 'chart-box', 'data-testid': 'chart' }),
    h(
      'a',
      {
        href: `#/figure?code=${encodeURIComponent(indicator.code)}&scope=province`,
        class: 'details',
      },
      t().details,
      h('span', { class: 'sr-only' }, `: ${name}`),
    ),
  );
};

export const renderOverview = async (main: HTMLElement, state: State): Promise<void> => {
  const [shown, corrected] = await Promise.all([
    provinceFigures(state.asOf, state.knownAt),
    state.knownAt === null ? Promise.resolve(undefined) : provinceFigures(state.asOf, null),
  ]);
  const byCode = (rows: readonly Figure[] | undefined, code: string) =>
    rows?.find((f) => f.indicator === code);
  const grid = h(
    'div',
    { class: 'cards' },
    state.plan.indicators.map((i) =>
      card(i, byCode(shown.figures, i.code), byCode(corrected?.figures, i.code), state),
    ),
  );
  clear(main, h('h1', { class: 'page-title' }, t().navOverview), grid);
  performance.mark('nhagiao:figures');

  const series = await monthlySeries(state.asOf, state.knownAt);
  for (const indicator of state.plan.indicators) {
    const el = grid.querySelector(`[data-indicator="${indicator.code}"]`);
    if (el === null) continue;
    const points = series.get(indicator.code) ?? [];
    const target = currentTarget(indicator.targets, state.asOf);
    const judged = target === undefined ? undefined : statusFor(points, state.asOf, target);
    const statusLine = el.querySelector('[data-testid="status"]');
    if (statusLine !== null) {
      clear(statusLine, `${t().status}: `, statusBadge(judged?.status ?? 'unknown', target?.year));
    }
    const trend = pace(points);
    const chartBox = el.querySelector('[data-testid="chart"]');
    if (chartBox !== null) {
      clear(
        chartBox,
        lineChart({
          id: `chart-${indicator.code}`,
          title: `${indicator.title[lang()]} — ${t().chartTitle}`,
          description: t().chartDesc(indicator.title[lang()]),
          points,
          targets: indicator.targets,
          projection:
            trend !== null && target !== undefined && target.judgedAsOf > state.asOf
              ? { date: target.judgedAsOf, value: trend.at(target.judgedAsOf) }
              : undefined,
        }),
      );
    }
  }
  performance.mark('nhagiao:charts');
};
