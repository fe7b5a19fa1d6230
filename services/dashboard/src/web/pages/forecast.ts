import { clear, h } from '../dom.js';
import {
  AT_RISK_MARGIN,
  COURSE_COMPLETION,
  MIN_STUDY_YEARS,
  type Pipeline,
  STUDY_COMPLETION,
} from '../forecast.js';
import { formatDate, formatDecimal, formatInteger, formatPercent } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, overviewData } from '../state.js';
import { outlooksOf, rangeText, verdictBadge } from './overview.js';

const table = (testid: string, caption: string, headers: readonly string[], rows: Node[]) =>
  h(
    'div',
    { class: 'table-box' },
    h(
      'table',
      { class: 'list', 'data-testid': testid },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.length > 0
          ? rows
          : h('tr', {}, h('td', { colspan: headers.length }, t().pipelineEmpty)),
      ),
    ),
  );

/** The pipeline's counts as the API gives them, so a reader can check each step of the method. */
const pipelineTables = (pipeline: Pipeline, state: State): HTMLElement => {
  const topicTitle = (topic: string): string =>
    state.plan.indicators.find((i) => i.code === `trained-${topic}`)?.title[lang()] ??
    t().topics[topic] ??
    topic;
  const n = (x: number) => formatInteger(x, lang());
  return h(
    'section',
    { class: 'pipeline', 'aria-labelledby': 'pipeline-counts' },
    h('h2', { id: 'pipeline-counts' }, `${t().pipelineTitle} — ${formatDate(pipeline.asOf)}`),
    h(
      'p',
      {},
      `${t().population}: `,
      h('strong', { 'data-testid': 'pipeline-population' }, n(pipeline.population)),
    ),
    table(
      'pipeline-studies',
      t().studiesTitle,
      [t().expectedYear, t().level, t().studies, t().newToMaster],
      pipeline.postgraduate.map((r) =>
        h(
          'tr',
          { 'data-year': r.expectedYear ?? 'none', 'data-level': r.level },
          h(
            'th',
            { scope: 'row' },
            r.expectedYear === null ? t().expectedUnknown : String(r.expectedYear),
          ),
          h('td', {}, t().levels[r.level] ?? r.level),
          h('td', { 'data-testid': 'studies' }, n(r.studies)),
          h('td', { 'data-testid': 'new' }, n(r.newToMasterOrAbove)),
        ),
      ),
    ),
    table(
      'pipeline-enrolments',
      t().enrolmentsTitle,
      [t().topic, t().enrolments, t().teachers, t().notYetTrained],
      pipeline.enrolments.map((r) =>
        h(
          'tr',
          { 'data-topic': r.topic },
          h('th', { scope: 'row' }, topicTitle(r.topic)),
          h('td', { 'data-testid': 'enrolments' }, n(r.enrolments)),
          h('td', { 'data-testid': 'teachers' }, n(r.teachers)),
          h('td', { 'data-testid': 'not-yet' }, n(r.notYetTrained)),
        ),
      ),
    ),
    table(
      'pipeline-departures',
      t().departuresTitle,
      [t().month, t().teachers, t().masterOrAbove],
      pipeline.departures.map((r) =>
        h(
          'tr',
          { 'data-month': r.month },
          h('th', { scope: 'row' }, `${r.month.slice(5, 7)}/${r.month.slice(0, 4)}`),
          h('td', { 'data-testid': 'teachers' }, n(r.teachers)),
          h('td', { 'data-testid': 'master' }, n(r.masterOrAbove)),
        ),
      ),
    ),
  );
};

export const renderForecast = async (main: HTMLElement, state: State): Promise<void> => {
  const data = await overviewData(state.asOf, state.knownAt);
  const pct = (p: number | null) => formatPercent(p, lang());
  const perYear = (v: number | null) =>
    v === null
      ? '—'
      : `${v > 0 ? '+' : v < 0 ? '−' : '±'}${formatDecimal(Math.abs(v) * 100, 1, lang())}`;
  const rows = data.indicators.map((row) => ({
    row,
    title: state.plan.indicators.find((i) => i.code === row.code)?.title[lang()] ?? row.code,
    outlooks: outlooksOf(row, data.asOf, data.pipeline),
  }));
  const years = [...new Set(data.indicators.flatMap((r) => r.targets.map((x) => x.year)))].sort();

  const yearSection = (year: number) => {
    const entries = rows.flatMap((r) => {
      const e = r.outlooks.find((o) => o.target.year === year);
      return e === undefined ? [] : [{ ...r, ...e }];
    });
    const judged = entries.length > 0 && entries.every((e) => e.outlook.judged);
    if (judged) {
      return h(
        'section',
        { 'aria-labelledby': `year-${year}` },
        h('h2', { id: `year-${year}` }, t().resultTitle(year)),
        h('p', { class: 'method' }, t().resultNote(formatDate(`${year}-12-31`))),
        table(
          `result-${year}`,
          t().resultTitle(year),
          [t().indicator, t().result, t().target, t().countTotal, t().verdictColumn],
          entries.map((e) =>
            h(
              'tr',
              { 'data-indicator': e.row.code, 'data-verdict': e.outlook.verdict },
              h('th', { scope: 'row' }, e.title),
              h('td', {}, pct(e.outlook.result)),
              h('td', {}, `≥ ${pct(e.target.target)}`),
              h(
                'td',
                {},
                e.target.result === null
                  ? '—'
                  : `${formatInteger(e.target.result.numerator, lang())}/${formatInteger(e.target.result.denominator, lang())}`,
              ),
              h(
                'td',
                {},
                verdictBadge(e.outlook.verdict),
                e.target.result !== null && e.target.result.short > 0
                  ? ` — ${t().lackedTeachers(formatInteger(e.target.result.short, lang()))}`
                  : '',
              ),
            ),
          ),
        ),
      );
    }
    return h(
      'section',
      { 'aria-labelledby': `year-${year}` },
      h('h2', { id: `year-${year}` }, t().outlookTitle(year)),
      table(
        `forecast-${year}`,
        t().outlookTitle(year),
        [
          t().indicator,
          t().current,
          t().paceNeededColumn,
          t().paceAchievedColumn,
          t().method1,
          t().method2,
          t().rangeColumn,
          t().verdictColumn,
        ],
        entries.map((e) => {
          const o = e.outlook;
          return h(
            'tr',
            {
              'data-indicator': e.row.code,
              'data-verdict': o.verdict,
              'data-trend': o.trend ?? '',
              'data-pipeline': o.pipeline ?? '',
              'data-low': o.low ?? '',
              'data-high': o.high ?? '',
            },
            h('th', { scope: 'row' }, e.title),
            h('td', {}, pct(e.row.figure.value)),
            h('td', {}, perYear(o.paceNeeded === null ? null : Math.max(0, o.paceNeeded))),
            h('td', {}, perYear(o.paceAchieved)),
            h(
              'td',
              { 'data-testid': 'trend' },
              pct(o.trend),
              o.trendUnbounded === null
                ? null
                : h(
                    'small',
                    { class: 'block muted' },
                    t().boundedFrom(pct(o.trendUnbounded), pct(o.ceiling)),
                  ),
            ),
            h(
              'td',
              { 'data-testid': 'pipeline' },
              o.pipeline === null ? `— (${t().pipelineNone})` : pct(o.pipeline),
            ),
            h('td', { 'data-testid': 'range' }, rangeText(o)),
            h(
              'td',
              {},
              verdictBadge(o.verdict),
              h('small', { class: 'block muted' }, `${t().target} ≥ ${pct(e.target.target)}`),
            ),
          );
        }),
      ),
    );
  };

  const share = (p: number) => formatPercent(p, lang());
  clear(
    main,
    h('h1', { class: 'page-title' }, `${t().forecastTitle} — ${formatDate(data.asOf)}`),
    h(
      'p',
      { class: 'caveat', role: 'note' },
      h('span', { 'aria-hidden': 'true' }, '⚠ '),
      t().forecastCaveat,
    ),
    years.map(yearSection),
    h(
      'section',
      { class: 'method', 'aria-labelledby': 'assumptions' },
      h('h2', { id: 'assumptions' }, t().assumptionsTitle),
      h(
        'ol',
        { 'data-testid': 'assumptions' },
        h('li', { 'data-testid': 'method' }, t().forecastMethod),
        h(
          'li',
          { 'data-testid': 'pipeline-method' },
          t().pipelineMethod(
            formatDate(data.asOf),
            share(STUDY_COMPLETION),
            share(COURSE_COMPLETION),
          ),
        ),
        h('li', { 'data-testid': 'reconcile' }, t().reconcileMethod(MIN_STUDY_YEARS)),
        h('li', {}, t().verdictMethod(formatDecimal(AT_RISK_MARGIN * 100, 0, lang()))),
      ),
    ),
    data.pipeline === null
      ? h('p', { class: 'note' }, t().pipelineRole)
      : pipelineTables(data.pipeline, state),
  );
};
