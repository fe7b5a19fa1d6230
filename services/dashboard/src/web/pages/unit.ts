import { type DashboardUnit, getJson, query } from '../api.js';
import { areaName } from '../areas.js';
import { lineChart } from '../chart.js';
import { clear, h } from '../dom.js';
import { bandOf } from '../forecast.js';
import { formatDate, formatInteger, formatPercent } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, backHref, link } from '../state.js';

const PERSONAL_DATA_ROLES = ['auditor', 'admin'];

/** What the teachers counted but not meeting one indicator lack, in aggregate, and who is on the way. */
const reason = (row: DashboardUnit['indicators'][number], data: DashboardUnit): string => {
  const lacking = row.figure.denominator - row.figure.numerator;
  const n = (x: number) => formatInteger(x, lang());
  const p = data.pipeline;
  if (row.code === 'master-or-above') {
    const studying = p?.postgraduate.reduce((s, r) => s + r.newToMasterOrAbove, 0) ?? null;
    return t().lackMaster(n(lacking), studying === null ? null : n(studying));
  }
  if (row.code.startsWith('trained-')) {
    const topic = row.code.slice('trained-'.length);
    const enrolled =
      p === null ? null : (p.enrolments.find((e) => e.topic === topic)?.notYetTrained ?? 0);
    return t().lackTrained(
      n(lacking),
      t().topicNames[topic] ?? topic,
      enrolled === null ? null : n(enrolled),
    );
  }
  return t().lackQualified(n(lacking));
};

/** One unit: its figures and trend against the targets, and "ai thiếu gì". */
export const renderUnit = async (
  main: HTMLElement,
  state: State,
  params: URLSearchParams,
): Promise<void> => {
  const unitId = params.get('id') ?? '';
  const data = await getJson<DashboardUnit>(
    `/v1/dashboard/unit${query({ unitId, asOf: state.asOf, knownAt: state.knownAt })}`,
  );
  const mayName = PERSONAL_DATA_ROLES.includes(state.session.role);
  const title = (code: string) =>
    state.plan.indicators.find((i) => i.code === code)?.title[lang()] ?? code;
  const scope = `unit:${data.unit.countsUnder}`;
  const merged = data.unit.countsUnder !== data.unit.unitId;
  clear(
    main,
    h(
      'p',
      { class: 'no-print' },
      h('a', { href: backHref(state), 'data-testid': 'back' }, `← ${t().back}`),
    ),
    h('h1', { class: 'page-title' }, data.unit.name),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t().kind),
      h('dd', {}, t().kinds[data.unit.kind] ?? data.unit.kind),
      h('dt', {}, t().area),
      h('dd', {}, areaName(data.unit.area)),
      h('dt', {}, t().asOf),
      h('dd', {}, formatDate(data.asOf)),
      merged
        ? [
            h('dt', {}, t().mergedInto),
            h(
              'dd',
              {},
              h(
                'a',
                { href: link('/unit', state, { id: data.unit.countsUnder }) },
                data.unit.countsUnderName,
              ),
            ),
          ]
        : null,
    ),
    merged ? h('p', { class: 'note' }, t().mergedRow(data.unit.countsUnderName)) : null,
    h(
      'section',
      { 'aria-labelledby': 'lacks-h' },
      h('h2', { id: 'lacks-h' }, t().whoLacksWhat),
      h(
        'ul',
        { class: 'reasons', 'data-testid': 'reasons' },
        data.indicators.map((row) =>
          h(
            'li',
            { 'data-indicator': row.code },
            h('strong', {}, title(row.code)),
            ': ',
            row.figure.denominator === 0 ? t().noTeachers : reason(row, data),
            row.target !== null && row.target.short > 0
              ? h(
                  'span',
                  { class: 'short-line' },
                  t().shortNeeded(formatInteger(row.target.short, lang()), row.target.year),
                )
              : null,
            row.lacking === undefined || row.lacking.length === 0
              ? null
              : h(
                  'details',
                  { class: 'names' },
                  h('summary', {}, t().namesList(row.lacking.length)),
                  h(
                    'ul',
                    {},
                    row.lacking.map((x) =>
                      h(
                        'li',
                        {},
                        h(
                          'a',
                          { href: link('/teacher', state, { id: x.teacherId }) },
                          x.fullName ?? x.teacherId,
                        ),
                        h('span', { class: 'muted small' }, ` (${x.teacherId})`),
                      ),
                    ),
                  ),
                ),
          ),
        ),
      ),
      mayName ? null : h('p', { class: 'note small' }, t().aggregateOnly),
    ),
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
          data.indicators.map((row) =>
            h(
              'tr',
              {
                'data-indicator': row.code,
                class: `band-${bandOf(row.figure.value, row.target?.target)}`,
              },
              h(
                'th',
                { scope: 'row' },
                h(
                  'a',
                  { href: link('/figure', state, { code: row.code, scope }) },
                  title(row.code),
                ),
              ),
              h('td', {}, formatPercent(row.figure.value, lang())),
              h(
                'td',
                {},
                `${formatInteger(row.figure.numerator, lang())}/${formatInteger(row.figure.denominator, lang())}`,
              ),
              h(
                'td',
                {},
                row.target === null
                  ? '—'
                  : `≥ ${formatPercent(row.target.target, lang())} (${row.target.year})`,
              ),
            ),
          ),
        ),
      ),
    ),
    h('h2', { class: 'section-title' }, t().chartsTitle),
    h(
      'div',
      { class: 'cards' },
      data.indicators.map((row) =>
        h(
          'article',
          { class: 'card', 'data-indicator': row.code },
          h('h3', {}, title(row.code)),
          lineChart({
            id: `unit-chart-${row.code}`,
            title: `${title(row.code)} — ${data.unit.name}`,
            description: t().chartDesc(title(row.code)),
            points: row.series.map((p) => ({ date: p.date, value: p.value })),
            targets: state.plan.indicators.find((i) => i.code === row.code)?.targets ?? [],
          }),
        ),
      ),
    ),
  );
};
