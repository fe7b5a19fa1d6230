import { type Figures, type ReportStatus, type ReportStatuses, getJson, query } from '../api.js';
import { clear, h } from '../dom.js';
import { formatDate, formatInteger } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, link } from '../state.js';

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

type Shown = 'submitted' | 'late' | 'overdue' | 'not-due';

/** What a unit's row says on `asOf`: a missing report is only overdue once the due day has passed. */
export const shownStatus = (u: ReportStatus, dueOn: string, asOf: string): Shown =>
  u.status === 'submitted'
    ? 'submitted'
    : u.status === 'late'
      ? 'late'
      : asOf > dueOn
        ? 'overdue'
        : 'not-due';

const SYMBOLS: Record<Shown, string> = {
  submitted: '✓ ',
  late: '▲ ',
  overdue: '✗ ',
  'not-due': '… ',
};

export const renderReports = async (
  main: HTMLElement,
  state: State,
  params: URLSearchParams,
): Promise<void> => {
  const lastYear = Number(state.asOf.slice(0, 4));
  const requested = Number(params.get('year'));
  const year =
    Number.isInteger(requested) && requested >= 2024 && requested <= lastYear + 1
      ? requested
      : lastYear;
  const reports = await getJson<ReportStatuses>(`/v1/reports${query({ year: String(year) })}`);
  const years = Array.from({ length: Math.max(1, lastYear - 2024 + 1) }, (_, i) => 2024 + i);
  // A unit merged away by the due day reports under the unit it joined, unless it already reported.
  const units = reports.units.filter((u) => u.countsUnder === u.unitId || u.submissions > 0);
  const shown = units.map((u) => ({ u, s: shownStatus(u, reports.dueOn, state.asOf) }));
  const count = (s: Shown) => shown.filter((x) => x.s === s).length;
  const submitted = count('submitted') + count('late');

  // The figures each submission reported, beside the same figures recomputed from the log.
  const asOfs = [...new Set(units.flatMap((u) => (u.latest === null ? [] : [u.latest.asOf])))];
  const recomputed = new Map<string, Figures>();
  await Promise.all(
    asOfs.map(async (d) => {
      recomputed.set(d, await getJson<Figures>(`/v1/indicators${query({ asOf: d, by: 'unit' })}`));
    }),
  );
  const title = (code: string) =>
    state.plan.indicators.find((i) => i.code === code)?.title[lang()] ?? code;

  const comparison = (u: ReportStatus) => {
    const latest = u.latest;
    if (latest === null || latest.values === undefined || latest.values.length === 0) return null;
    const figures = recomputed.get(latest.asOf)?.figures ?? [];
    const rows = latest.values.map((v) => {
      const f = figures.find((x) => x.scope === `unit:${u.unitId}` && x.indicator === v.indicator);
      const same =
        f !== undefined && f.numerator === v.numerator && f.denominator === v.denominator;
      return { v, f, same };
    });
    const differing = rows.filter((r) => !r.same).length;
    return h(
      'details',
      { class: 'compare', 'data-testid': 'compare', 'data-differing': differing },
      h('summary', {}, differing === 0 ? t().figuresMatch : t().figuresDiffer(differing)),
      h(
        'div',
        { class: 'table-box' },
        h(
          'table',
          { class: 'list' },
          h('caption', {}, t().compareCaption(formatDate(latest.asOf))),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [t().indicator, t().submittedFigures, t().recomputedFigures, ''].map((x) =>
                h('th', { scope: 'col' }, x),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            rows.map(({ v, f, same }) =>
              h(
                'tr',
                { 'data-indicator': v.indicator, class: same ? '' : 'differs' },
                h('th', { scope: 'row' }, title(v.indicator)),
                h(
                  'td',
                  {},
                  `${formatInteger(v.numerator, lang())}/${formatInteger(v.denominator, lang())}`,
                ),
                h(
                  'td',
                  {},
                  f === undefined
                    ? '—'
                    : `${formatInteger(f.numerator, lang())}/${formatInteger(f.denominator, lang())}`,
                ),
                h('td', {}, same ? '✓' : `≠ ${t().noLongerMatches}`),
              ),
            ),
          ),
        ),
      ),
    );
  };

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
            location.hash = link('/reports', state, {
              year: (e.target as HTMLSelectElement).value,
            });
          },
        },
        years.map((y) => h('option', { value: y, selected: y === year }, String(y))),
      ),
    ),
    h(
      'p',
      { class: 'lede', 'data-testid': 'reports-summary' },
      h('strong', {}, t().submittedSummary(submitted, units.length)),
      ` — ${t().reportsBreakdown(count('submitted'), count('late'), count('overdue'), count('not-due'))}`,
      ` (${t().dueOn} ${formatDate(reports.dueOn)}; ${t().asOf.toLowerCase()} ${formatDate(state.asOf)})`,
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
            [
              t().unit,
              t().status,
              t().submittedOn,
              t().reportAsOf,
              t().submissions,
              t().reportFile,
            ].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        h(
          'tbody',
          {},
          shown.map(({ u, s }) =>
            h(
              'tr',
              { 'data-unit': u.unitId, 'data-status': u.status, 'data-shown': s },
              h(
                'th',
                { scope: 'row' },
                u.name,
                h('small', { class: 'block muted' }, t().kinds[u.kind] ?? u.kind),
              ),
              h(
                'td',
                { class: `report-${s}`, 'data-testid': 'status' },
                h('span', { 'aria-hidden': 'true' }, SYMBOLS[s]),
                s === 'overdue'
                  ? t().overdueDays(daysBetween(reports.dueOn, state.asOf))
                  : s === 'late' && u.firstSubmittedOn !== null
                    ? t().lateDays(daysBetween(reports.dueOn, u.firstSubmittedOn))
                    : t().shownStatus[s],
              ),
              h(
                'td',
                { 'data-testid': 'submitted-on' },
                u.latest === null ? '—' : formatDate(u.latest.submittedOn),
              ),
              h('td', {}, u.latest === null ? '—' : formatDate(u.latest.asOf), comparison(u)),
              h('td', {}, String(u.submissions)),
              h(
                'td',
                {},
                h(
                  'a',
                  {
                    href: `/v1/reports/${encodeURIComponent(u.unitId)}/${year}.xlsx`,
                    download:
                      u.latest === null
                        ? `du-thao-bao-cao-${u.unitId}-${year}.xlsx`
                        : `bao-cao-${u.unitId}-${year}.xlsx`,
                    'data-testid': 'xlsx',
                    'data-draft': u.latest === null ? 'true' : 'false',
                  },
                  u.latest === null ? t().downloadDraft : t().download,
                ),
                ' · ',
                h(
                  'a',
                  {
                    href: `/v1/dashboard/reports/${encodeURIComponent(u.unitId)}/${year}.pdf`,
                    download:
                      u.latest === null
                        ? `du-thao-bao-cao-${u.unitId}-${year}.pdf`
                        : `bao-cao-${u.unitId}-${year}.pdf`,
                    'data-testid': 'pdf',
                  },
                  'PDF',
                ),
                u.latest === null ? h('small', { class: 'block muted' }, t().draftNote) : null,
              ),
            ),
          ),
        ),
      ),
    ),
  );
};
