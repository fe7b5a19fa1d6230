import { type Unit, getJson, query } from '../api.js';
import { clear, h } from '../dom.js';
import { formatDate } from '../format.js';
import { t } from '../i18n.js';
import type { State } from '../state.js';

/** Plan 423: units report before 25 August each year (/v1/plans does not carry the date yet). */
const dueOn = (year: number): string => `${year}-08-25`;

export const renderReports = async (
  main: HTMLElement,
  state: State,
  params: URLSearchParams,
): Promise<void> => {
  const lastYear = Number(state.asOf.slice(0, 4));
  const year = Number(params.get('year') ?? lastYear);
  const units = (await getJson<{ units: Unit[] }>(`/v1/units${query({ asOf: dueOn(year) })}`))
    .units;
  const years = Array.from({ length: Math.max(1, lastYear - 2024 + 1) }, (_, i) => 2024 + i);
  clear(
    main,
    h('h1', { class: 'page-title' }, t().reportsTitle),
    h('p', { class: 'method' }, t().reportsRule),
    h(
      'p',
      { class: 'caveat', role: 'note', 'data-testid': 'reports-missing-api' },
      h('span', { 'aria-hidden': 'true' }, '⚠ '),
      t().reportsMissingApi,
    ),
    h(
      'label',
      { for: 'report-year', class: 'no-print' },
      `${t().year} `,
      h(
        'select',
        {
          id: 'report-year',
          onChange: (e: Event) => {
            location.hash = `#/reports?year=${(e.target as HTMLSelectElement).value}`;
          },
        },
        years.map((y) => h('option', { value: y, selected: y === year }, String(y))),
      ),
    ),
    h(
      'div',
      { class: 'table-box' },
      h(
        'table',
        { class: 'list', 'data-testid': 'reports' },
        h('caption', {}, `${t().reportsTitle} ${year} — ${t().dueOn} ${formatDate(dueOn(year))}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t().unit),
            h('th', { scope: 'col' }, t().kind),
            h('th', { scope: 'col' }, t().status),
          ),
        ),
        h(
          'tbody',
          {},
          units
            .filter((u) => u.countsUnder === u.unitId)
            .map((u) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, u.name),
                h('td', {}, t().kinds[u.kind] ?? u.kind),
                h(
                  'td',
                  { class: 'report-missing' },
                  h('span', { 'aria-hidden': 'true' }, '✗ '),
                  t().reportStatus.missing,
                ),
              ),
            ),
        ),
      ),
    ),
  );
};
