import { type ReportStatuses, getJson, query } from '../api.js';
import { clear, h } from '../dom.js';
import { formatDate } from '../format.js';
import { t } from '../i18n.js';
import type { State } from '../state.js';

const SYMBOLS = { submitted: '✓ ', late: '▲ ', missing: '✗ ' } as const;

export const renderReports = async (
  main: HTMLElement,
  state: State,
  params: URLSearchParams,
): Promise<void> => {
  const lastYear = Number(state.asOf.slice(0, 4));
  const year = Number(params.get('year') ?? lastYear);
  const reports = await getJson<ReportStatuses>(`/v1/reports${query({ year: String(year) })}`);
  const years = Array.from({ length: Math.max(1, lastYear - 2024 + 1) }, (_, i) => 2024 + i);
  clear(
    main,
    h('h1', { class: 'page-title' }, t().reportsTitle),
    h('p', { class: 'method', 'data-testid': 'reports-rule' }, t().reportsRule),
    h('p', { class: 'method' }, t().reportsJudged),
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
        h('caption', {}, `${t().reportsTitle} ${year} — ${t().dueOn} ${formatDate(reports.dueOn)}`),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, t().unit),
            h('th', { scope: 'col' }, t().kind),
            h('th', { scope: 'col' }, t().status),
            h('th', { scope: 'col' }, t().submittedOn),
            h('th', { scope: 'col' }, t().reportAsOf),
            h('th', { scope: 'col' }, t().submissions),
            h('th', { scope: 'col' }, t().reportFile),
          ),
        ),
        h(
          'tbody',
          {},
          reports.units
            // A unit merged away by the due day reports under the unit it joined, unless it already reported.
            .filter((u) => u.countsUnder === u.unitId || u.submissions > 0)
            .map((u) =>
              h(
                'tr',
                { 'data-unit': u.unitId, 'data-status': u.status },
                h('th', { scope: 'row' }, u.name),
                h('td', {}, t().kinds[u.kind] ?? u.kind),
                h(
                  'td',
                  { class: `report-${u.status}`, 'data-testid': 'status' },
                  h('span', { 'aria-hidden': 'true' }, SYMBOLS[u.status]),
                  t().reportStatus[u.status],
                ),
                h(
                  'td',
                  { 'data-testid': 'submitted-on' },
                  u.latest === null ? '—' : formatDate(u.latest.submittedOn),
                ),
                h('td', {}, u.latest === null ? '—' : formatDate(u.latest.asOf)),
                h('td', {}, String(u.submissions)),
                h(
                  'td',
                  {},
                  h(
                    'a',
                    {
                      href: `/v1/reports/${encodeURIComponent(u.unitId)}/${year}.xlsx`,
                      download: `bao-cao-${u.unitId}-${year}.xlsx`,
                      'data-testid': 'xlsx',
                    },
                    t().download,
                  ),
                ),
              ),
            ),
        ),
      ),
    ),
  );
};
