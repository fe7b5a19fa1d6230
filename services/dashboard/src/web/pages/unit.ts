import { type Figures, type Unit, getJson, query } from '../api.js';
import { clear, h } from '../dom.js';
import { bandOf, currentTarget } from '../forecast.js';
import { formatInteger, formatPercent } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, backHref, link } from '../state.js';

/** One unit: its figures against the targets, each leading to the figure's reasons. */
export const renderUnit = async (
  main: HTMLElement,
  state: State,
  params: URLSearchParams,
): Promise<void> => {
  const unitId = params.get('id') ?? '';
  const [units, figures] = await Promise.all([
    getJson<{ units: Unit[] }>(`/v1/units${query({ asOf: state.asOf })}`),
    getJson<Figures>(
      `/v1/indicators${query({ asOf: state.asOf, knownAt: state.knownAt, by: 'unit' })}`,
    ),
  ]);
  const unit = units.units.find((u) => u.unitId === unitId);
  const scope = `unit:${unit?.countsUnder ?? unitId}`;
  clear(
    main,
    h(
      'p',
      { class: 'no-print' },
      h('a', { href: backHref(state), 'data-testid': 'back' }, `← ${t().back}`),
    ),
    h('h1', { class: 'page-title' }, unit?.name ?? unitId),
    h(
      'div',
      { class: 'table-box' },
      h(
        'table',
        { class: 'list', 'data-testid': 'unit-figures' },
        h('caption', {}, t().unitFiguresCaption),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t().indicator, t().value, t().countTotal, t().target].map((x) =>
              h('th', { scope: 'col' }, x),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          state.plan.indicators.map((i) => {
            const f = figures.figures.find((x) => x.scope === scope && x.indicator === i.code);
            const target = currentTarget(i.targets, state.asOf);
            return h(
              'tr',
              {
                'data-indicator': i.code,
                class: `band-${bandOf(f?.value ?? null, target?.target)}`,
              },
              h(
                'th',
                { scope: 'row' },
                h('a', { href: link('/figure', state, { code: i.code, scope }) }, i.title[lang()]),
              ),
              h('td', {}, formatPercent(f?.value ?? null, lang())),
              h(
                'td',
                {},
                `${formatInteger(f?.numerator ?? 0, lang())}/${formatInteger(f?.denominator ?? 0, lang())}`,
              ),
              h(
                'td',
                {},
                target === undefined
                  ? '—'
                  : `≥ ${formatPercent(target.target, lang())} (${target.year})`,
              ),
            );
          }),
        ),
      ),
    ),
  );
};
