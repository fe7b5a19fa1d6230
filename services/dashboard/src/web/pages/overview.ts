import type { Counts, DashboardOverview, PlanIndicator } from '../api.js';
import { lineChart } from '../chart.js';
import { clear, h } from '../dom.js';
import { type Outlook, type Verdict, outlookFor } from '../forecast.js';
import { formatDecimal, formatInteger, formatPercent, formatPoints } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, link, overviewData } from '../state.js';

const SYMBOL: Record<Verdict, string> = {
  met: '✓',
  missed: '✗',
  'on-track': '↗',
  'at-risk': '!',
  'off-track': '▼',
  unknown: '?',
};

type Row = DashboardOverview['indicators'][number];

export const verdictBadge = (verdict: Verdict) =>
  h(
    'span',
    { class: `status status-${verdict}`, 'data-status': verdict },
    h('span', { 'aria-hidden': 'true' }, SYMBOL[verdict], ' '),
    t().verdicts[verdict],
  );

/** Both methods against every target of one indicator, from the overview's facts. */
export const outlooksOf = (row: Row, asOf: string, pipeline: DashboardOverview['pipeline']) =>
  row.targets.map((target) => ({
    target,
    outlook: outlookFor({
      code: row.code,
      target,
      asOf,
      points: row.series.map((p) => ({ date: p.date, value: p.value })),
      figure: row.figure,
      result: target.result?.value ?? null,
      pipeline,
    }),
  }));

const pct = (v: number | null) => formatPercent(v, lang());
const ratio = (c: Counts) =>
  `${formatInteger(c.numerator, lang())}/${formatInteger(c.denominator, lang())}`;
const pointsPerYear = (v: number) => formatDecimal(v * 100, 1, lang());
const signed = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${pointsPerYear(Math.abs(v))}`;

export const rangeText = (o: Outlook): string =>
  o.low === null || o.high === null
    ? '—'
    : o.high - o.low < 0.0005
      ? pct(o.low)
      : `${pct(o.low)} – ${pct(o.high)}`;

/** One target's cell: the judged result, or the outlook with the range the methods span. */
const targetCell = (entry: ReturnType<typeof outlooksOf>[number]) => {
  const { target, outlook } = entry;
  const testid = `target-${target.year}`;
  if (outlook.judged) {
    const result = target.result;
    return h(
      'td',
      {
        'data-testid': testid,
        'data-label': String(target.year),
        'data-verdict': outlook.verdict,
        'data-judged': 'true',
      },
      verdictBadge(outlook.verdict),
      h('span', { class: 'figure-line' }, `${pct(outlook.result)} / ${pct(target.target)}`),
      result !== null && result.short > 0
        ? h(
            'span',
            {
              class: 'short-line',
              'data-testid': `short-${target.year}`,
              'data-short': result.short,
            },
            t().lackedTeachers(formatInteger(result.short, lang())),
          )
        : null,
    );
  }
  return h(
    'td',
    {
      'data-testid': testid,
      'data-label': String(target.year),
      'data-verdict': outlook.verdict,
      'data-judged': 'false',
      'data-low': outlook.low ?? '',
      'data-high': outlook.high ?? '',
    },
    verdictBadge(outlook.verdict),
    h('span', { class: 'figure-line' }, `${t().forecastShort} ${rangeText(outlook)}`),
    h('span', { class: 'muted small' }, `${t().target} ≥ ${pct(target.target)}`),
  );
};

const nextTarget = (row: Row) => row.targets.find((x) => x.result === null);

const scorecard = (data: DashboardOverview, state: State, plan: readonly PlanIndicator[]) => {
  const years = [...new Set(data.indicators.flatMap((r) => r.targets.map((x) => x.year)))].sort();
  return h(
    'div',
    { class: 'table-box scorecard-box' },
    h(
      'table',
      { class: 'scorecard', 'data-testid': 'scorecard' },
      h('caption', {}, t().scorecardCaption(data.asOf)),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, t().indicator),
          h('th', { scope: 'col' }, t().current),
          years.map((y) => h('th', { scope: 'col' }, String(y))),
          h('th', { scope: 'col', class: 'wide-only' }, t().paceColumn),
          h('th', { scope: 'col' }, t().shortColumn),
          h('th', { scope: 'col', class: 'wide-only' }, t().behindColumn),
        ),
      ),
      h(
        'tbody',
        {},
        data.indicators.map((row) => {
          const indicator = plan.find((i) => i.code === row.code);
          const outlooks = outlooksOf(row, data.asOf, data.pipeline);
          const next = nextTarget(row);
          const nextOutlook = outlooks.find((o) => o.target === next)?.outlook;
          return h(
            'tr',
            { 'data-indicator': row.code },
            h(
              'th',
              { scope: 'row' },
              h(
                'a',
                { href: link('/figure', state, { code: row.code, scope: 'province' }) },
                indicator?.title[lang()] ?? row.code,
              ),
            ),
            h(
              'td',
              { 'data-testid': 'current' },
              h('strong', { 'data-testid': 'value' }, pct(row.figure.value)),
              h(
                'span',
                { class: 'muted small', title: t().countTotalHelp },
                `${t().countTotal} ${ratio(row.figure)}`,
              ),
            ),
            years.map((y) => {
              const entry = outlooks.find((o) => o.target.year === y);
              return entry === undefined ? h('td', {}, `— (${t().targetNone})`) : targetCell(entry);
            }),
            h(
              'td',
              { class: 'wide-only', 'data-testid': 'pace' },
              nextOutlook === undefined ||
                nextOutlook.paceNeeded === null ||
                nextOutlook.paceAchieved === null
                ? '—'
                : [
                    h(
                      'span',
                      { class: 'figure-line' },
                      `${t().paceNeeded} ${signed(Math.max(0, nextOutlook.paceNeeded))}`,
                    ),
                    h(
                      'span',
                      {
                        class:
                          nextOutlook.paceAchieved >= nextOutlook.paceNeeded
                            ? 'figure-line pace-ok'
                            : 'figure-line pace-short',
                      },
                      `${t().paceAchieved} ${signed(nextOutlook.paceAchieved)}`,
                    ),
                    h('span', { class: 'muted small' }, t().pointsPerYear),
                  ],
            ),
            h(
              'td',
              {
                'data-testid': 'short-now',
                'data-short': next?.shortNow ?? '',
              },
              next === undefined
                ? '—'
                : next.shortNow === 0
                  ? t().shortNone(next.year)
                  : t().shortNeeded(formatInteger(next.shortNow, lang()), next.year),
            ),
            h(
              'td',
              { class: 'wide-only behind' },
              row.behind.length === 0
                ? '—'
                : h(
                    'ol',
                    {},
                    row.behind.map((u) =>
                      h(
                        'li',
                        {},
                        h('a', { href: link('/unit', state, { id: u.unitId }) }, u.name),
                        h(
                          'span',
                          { class: 'muted small' },
                          ` ${pct(u.value)} · ${t().lacks(formatInteger(u.short, lang()))}`,
                        ),
                      ),
                    ),
                  ),
            ),
          );
        }),
      ),
    ),
  );
};

const summary = (data: DashboardOverview) => {
  const judged = new Map<number, { met: number; total: number }>();
  const outlook = new Map<number, Record<string, number>>();
  for (const row of data.indicators) {
    for (const { target, outlook: o } of outlooksOf(row, data.asOf, data.pipeline)) {
      if (o.judged) {
        const j = judged.get(target.year) ?? { met: 0, total: 0 };
        j.total += 1;
        if (o.verdict === 'met') j.met += 1;
        judged.set(target.year, j);
      } else {
        const m = outlook.get(target.year) ?? {};
        m[o.verdict] = (m[o.verdict] ?? 0) + 1;
        outlook.set(target.year, m);
      }
    }
  }
  return h(
    'ul',
    { class: 'lede', 'data-testid': 'summary' },
    [...judged].map(([year, j]) =>
      h('li', { 'data-year': year }, t().judgedSummary(year, j.met, j.total)),
    ),
    [...outlook].map(([year, m]) =>
      h(
        'li',
        { 'data-year': year },
        t().outlookSummary(
          year,
          (['on-track', 'at-risk', 'off-track'] as const)
            .filter((v) => (m[v] ?? 0) > 0)
            .map((v) => `${m[v]} ${t().verdicts[v].toLowerCase()}`)
            .join(', '),
        ),
      ),
    ),
  );
};

const card = (
  row: Row,
  indicator: PlanIndicator | undefined,
  data: DashboardOverview,
  state: State,
) => {
  const name = indicator?.title[lang()] ?? row.code;
  const id = `card-${row.code}`;
  const shown = row.figure;
  const corrected = row.corrected;
  const changed =
    corrected !== null &&
    (corrected.numerator !== shown.numerator || corrected.denominator !== shown.denominator);
  const next = nextTarget(row);
  const outlook =
    next === undefined
      ? undefined
      : outlooksOf(row, data.asOf, data.pipeline).find((o) => o.target === next)?.outlook;
  return h(
    'article',
    { class: 'card', id, 'data-indicator': row.code, 'aria-labelledby': `${id}-h` },
    h('h3', { id: `${id}-h` }, name),
    h(
      'p',
      { class: 'value' },
      state.knownAt === null ? '' : h('span', { class: 'tag' }, `${t().published}: `),
      h('span', { 'data-testid': 'value' }, pct(shown.value)),
      ' ',
      h(
        'span',
        { class: 'ratio', title: t().countTotalHelp },
        `(${t().countTotal} `,
        h('span', { 'data-testid': 'numerator' }, formatInteger(shown.numerator, lang())),
        '/',
        h('span', { 'data-testid': 'denominator' }, formatInteger(shown.denominator, lang())),
        ')',
      ),
    ),
    corrected === null
      ? null
      : h(
          'p',
          { class: changed ? 'correction changed' : 'correction', 'data-testid': 'correction' },
          changed
            ? [
                h('span', { 'aria-hidden': 'true' }, 'Δ '),
                `${t().corrected}: `,
                h('strong', { 'data-testid': 'corrected-value' }, pct(corrected.value)),
                ` (${ratio(corrected)}; ${t().difference} ${formatPoints((corrected.value ?? 0) - (shown.value ?? 0), lang())})`,
              ]
            : t().noDifference,
        ),
    lineChart({
      id: `chart-${row.code}`,
      title: `${name} — ${t().chartTitle}`,
      description: t().chartDesc(name),
      points: row.series.map((p) => ({ date: p.date, value: p.value })),
      targets: indicator?.targets ?? row.targets,
      range:
        next === undefined || outlook === undefined || outlook.low === null || outlook.high === null
          ? undefined
          : { date: next.judgedAsOf, low: outlook.low, high: outlook.high },
    }),
    h(
      'p',
      { class: 'card-links' },
      h(
        'a',
        { href: link('/figure', state, { code: row.code, scope: 'province' }), class: 'details' },
        t().details,
        h('span', { class: 'sr-only' }, `: ${name}`),
      ),
    ),
  );
};

export const renderOverview = async (main: HTMLElement, state: State): Promise<void> => {
  const data = await overviewData(state.asOf, state.knownAt);
  const plan = state.plan.indicators;
  const nothingKnown =
    state.knownAt !== null && data.indicators.every((r) => r.figure.denominator === 0);
  clear(
    main,
    h('h1', { class: 'page-title' }, t().overviewTitle(data.asOf)),
    nothingKnown ? h('p', { class: 'note', role: 'note' }, t().nothingKnownYet) : null,
    summary(data),
    scorecard(data, state, plan),
    h('p', { class: 'method small' }, t().scorecardHelp),
  );
  performance.mark('nhagiao:figures');
  main.append(
    h('h2', { class: 'section-title' }, t().chartsTitle),
    h(
      'div',
      { class: 'cards' },
      data.indicators.map((row) =>
        card(
          row,
          plan.find((i) => i.code === row.code),
          data,
          state,
        ),
      ),
    ),
  );
  performance.mark('nhagiao:charts');
};
