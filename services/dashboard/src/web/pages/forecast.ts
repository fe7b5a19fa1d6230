import { getJson, query } from '../api.js';
import { clear, h } from '../dom.js';
import {
  COURSE_COMPLETION,
  type Pipeline,
  STUDY_COMPLETION,
  pace,
  pipelineProjection,
  statusFor,
} from '../forecast.js';
import { formatDate, formatDecimal, formatInteger, formatPercent } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, monthlySeries, provinceFigures } from '../state.js';
import { statusBadge } from './overview.js';

const YEARS = [2025, 2030];

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
  clear(main, h('h1', { class: 'page-title' }, t().forecastTitle), h('p', {}, t().loading));
  // The pipeline is as known now: the figures it adjusts are read as known now too.
  const [series, pipeline, now] = await Promise.all([
    monthlySeries(state.asOf, state.knownAt),
    getJson<Pipeline>(`/v1/pipeline${query({ asOf: state.asOf, scope: 'province' })}`),
    provinceFigures(state.asOf, null),
  ]);
  const share = (p: number) => formatPercent(p, lang());
  clear(
    main,
    h('h1', { class: 'page-title' }, t().forecastTitle),
    h('p', { class: 'method', 'data-testid': 'method' }, t().forecastMethod),
    h(
      'p',
      { class: 'method', 'data-testid': 'pipeline-method' },
      t().pipelineMethod(formatDate(state.asOf), share(STUDY_COMPLETION), share(COURSE_COMPLETION)),
    ),
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
            YEARS.map((y) => h('th', { scope: 'col' }, t().projected(y))),
            YEARS.map((y) => h('th', { scope: 'col' }, t().pipelineProjected(y))),
          ),
        ),
        h(
          'tbody',
          {},
          state.plan.indicators.map((i) => {
            const points = series.get(i.code) ?? [];
            const trend = pace(points);
            const current = [...points].reverse().find((p) => p.value !== null)?.value ?? null;
            const figure = now.figures.find((f) => f.indicator === i.code);
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
              YEARS.map((y) => {
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
              YEARS.map((y) => {
                const p =
                  figure === undefined ? null : pipelineProjection(i.code, figure, pipeline, y);
                if (p === null) return h('td', { 'data-year': y }, `— (${t().pipelineNone})`);
                return h(
                  'td',
                  { 'data-year': y, 'data-testid': 'with-pipeline' },
                  h('span', { class: 'projected' }, `≈ ${formatPercent(p.projected, lang())}`),
                  h(
                    'small',
                    {},
                    ` (${t().pipelineAdded} +${formatDecimal(p.added, 1, lang())}; ${t().pipelineLeaving} −${formatInteger(p.leaving, lang())})`,
                  ),
                );
              }),
            );
          }),
        ),
      ),
    ),
    pipelineTables(pipeline, state),
  );
};
