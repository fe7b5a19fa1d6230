import { clear, h } from '../dom.js';
import { pace, statusFor } from '../forecast.js';
import { formatDecimal, formatPercent } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, monthlySeries } from '../state.js';
import { statusBadge } from './overview.js';

export const renderForecast = async (main: HTMLElement, state: State): Promise<void> => {
  clear(main, h('h1', { class: 'page-title' }, t().forecastTitle), h('p', {}, t().loading));
  const series = await monthlySeries(state.asOf, state.knownAt);
  const years = [2025, 2030];
  clear(
    main,
    h('h1', { class: 'page-title' }, t().forecastTitle),
    h('p', { class: 'method', 'data-testid': 'method' }, t().forecastMethod),
    h(
      'p',
      { class: 'caveat', role: 'note' },
      h('span', { 'aria-hidden': 'true' }, '⚠ '),
      t().forecastCaveat,
    ),
    h(
      'div',
      { class: 'table-box' },
      h(
        'table',
        { class: 'list', 'data-testid': 'forecast' },
        h('caption', { class: 'sr-only' }, t().forecastTitle),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t().indicator),
            h('th', { scope: 'col' }, t().current),
            h('th', { scope: 'col' }, t().pacePerYear),
            years.map((y) => h('th', { scope: 'col' }, t().projected(y))),
          ),
        ),
        h(
          'tbody',
          {},
          state.plan.indicators.map((i) => {
            const points = series.get(i.code) ?? [];
            const trend = pace(points);
            const current = [...points].reverse().find((p) => p.value !== null)?.value ?? null;
            return h(
              'tr',
              { 'data-indicator': i.code },
              h('th', { scope: 'row' }, i.title[lang()]),
              h('td', {}, formatPercent(current, lang())),
              h(
                'td',
                {},
                trend === null ? '—' : formatDecimal(trend.perDay * 365 * 100, 1, lang()),
              ),
              years.map((y) => {
                const target = i.targets.find((x) => x.year === y);
                if (target === undefined) return h('td', {}, `— (${t().targetNone})`);
                const judged = statusFor(points, state.asOf, target);
                return h(
                  'td',
                  {},
                  h('span', { class: 'projected' }, `≈ ${formatPercent(judged.projected, lang())}`),
                  ` / ${t().target} ≥ ${formatPercent(target.target, lang())} `,
                  statusBadge(judged.status, undefined),
                );
              }),
            );
          }),
        ),
      ),
    ),
  );
};
