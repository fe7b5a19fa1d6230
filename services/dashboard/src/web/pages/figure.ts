import {
  type DashboardUnit,
  type Explanation,
  type Figures,
  type HistoryRow,
  type RecordedEventJson,
  type Unit,
  getJson,
  query,
} from '../api.js';
import { lineChart } from '../chart.js';
import { clear, h } from '../dom.js';
import { currentTarget } from '../forecast.js';
import { formatDate, formatInstant, formatInteger, formatPercent } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, backHref, link, overviewData } from '../state.js';
import { eventView } from '../timeline.js';
import { shortOf } from './units.js';

const PERSONAL_DATA_ROLES = ['auditor', 'admin'];
const HISTORY_SHOWN = 200;

/** What a teacher counted in the denominator only lacks, for one indicator. */
const lackOf = (code: string): string =>
  code === 'master-or-above'
    ? t().lackOneMaster
    : code.startsWith('trained-')
      ? t().lackOneTrained(t().topicNames[code.slice('trained-'.length)] ?? code)
      : t().lackOneQualified;

export const renderFigure = async (
  main: HTMLElement,
  state: State,
  params: URLSearchParams,
): Promise<void> => {
  const code = params.get('code') ?? '';
  const scope = params.get('scope') ?? 'province';
  const indicator = state.plan.indicators.find((i) => i.code === code);
  const unitId = scope.startsWith('unit:') ? scope.slice('unit:'.length) : null;
  const mayAudit = PERSONAL_DATA_ROLES.includes(state.session.role);
  const [explain, context, byUnit, units] = await Promise.all([
    getJson<Explanation>(
      `/v1/indicators/${encodeURIComponent(code)}/explain${query({ asOf: state.asOf, knownAt: state.knownAt, scope })}`,
    ),
    unitId === null
      ? overviewData(state.asOf, state.knownAt).then((o) => ({
          name: t().province,
          series: o.indicators.find((i) => i.code === code)?.series ?? [],
          names: new Map<string, string | null>(),
        }))
      : getJson<DashboardUnit>(
          `/v1/dashboard/unit${query({ unitId, asOf: state.asOf, knownAt: state.knownAt })}`,
        ).then((u) => ({
          name: u.unit.name,
          series: u.indicators.find((i) => i.code === code)?.series ?? [],
          names: new Map(
            (u.indicators.find((i) => i.code === code)?.lacking ?? []).map((x) => [
              x.teacherId,
              x.fullName,
            ]),
          ),
        })),
    scope === 'province'
      ? getJson<Figures>(
          `/v1/indicators${query({ asOf: state.asOf, knownAt: state.knownAt, by: 'unit', indicator: code })}`,
        )
      : Promise.resolve(null),
    scope === 'province'
      ? getJson<{ units: Unit[] }>(`/v1/units${query({ asOf: state.asOf })}`)
      : Promise.resolve(null),
  ]);
  const target = indicator === undefined ? undefined : currentTarget(indicator.targets, state.asOf);
  const name = indicator?.title[lang()] ?? code;
  /** The event behind a history row, opened right under the row (a second click folds it). */
  const showEvent = async (row: HistoryRow, button: HTMLElement): Promise<void> => {
    const tr = button.closest('tr');
    if (tr === null) return;
    const open = tr.nextElementSibling;
    if (open?.classList.contains('event-row') === true) {
      open.remove();
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    const cell = h('td', { colspan: 6, tabindex: -1 }, t().loading);
    tr.after(h('tr', { class: 'event-row' }, cell));
    button.setAttribute('aria-expanded', 'true');
    const events = await getJson<{ events: RecordedEventJson[] }>(
      `/v1/teachers/${encodeURIComponent(row.teacherId)}/events`,
    );
    const event = events.events.find((e) => e.id === row.eventId);
    clear(
      cell,
      event === undefined ? row.eventId : h('ol', { class: 'timeline' }, eventView(event)),
      h('a', { href: link('/teacher', state, { id: row.teacherId }) }, t().showTeacher),
    );
    cell.focus();
  };

  const lacking = explain.teachers?.filter((c) => c.numerator === 0) ?? [];
  const teachers =
    explain.teachers === undefined
      ? h('p', { class: 'note', 'data-testid': 'personal-only' }, t().personalOnly)
      : h(
          'div',
          { class: 'table-box' },
          h(
            'table',
            { class: 'list', 'data-testid': 'teachers' },
            h('caption', {}, t().whoCounted),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, t().teacher),
                h('th', { scope: 'col' }, t().status),
              ),
            ),
            h(
              'tbody',
              {},
              [...lacking, ...explain.teachers.filter((c) => c.numerator > 0)].map((c) =>
                h(
                  'tr',
                  {},
                  h(
                    'td',
                    {},
                    h(
                      'a',
                      { href: link('/teacher', state, { id: c.teacherId }) },
                      context.names.get(c.teacherId) ?? c.teacherId,
                    ),
                  ),
                  h(
                    'td',
                    {},
                    c.numerator > 0
                      ? `✓ ${t().inNumerator}`
                      : `○ ${t().notCounted}: ${lackOf(code)}`,
                  ),
                ),
              ),
            ),
          ),
        );

  const breakdown =
    byUnit === null || units === null
      ? null
      : (() => {
          const nameOf = new Map(units.units.map((u) => [u.unitId, u.name]));
          const rows = byUnit.figures
            .filter((f) => f.denominator > 0)
            .map((f) => ({ ...f, unitId: f.scope.slice('unit:'.length) }))
            .sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
          return h(
            'section',
            { 'aria-labelledby': 'by-unit-h' },
            h('h2', { id: 'by-unit-h' }, t().byUnitTitle),
            h(
              'div',
              { class: 'table-box' },
              h(
                'table',
                { class: 'list', 'data-testid': 'by-unit' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    [t().unit, t().value, t().countTotal, t().shortColumn].map((x) =>
                      h('th', { scope: 'col' }, x),
                    ),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  rows.map((f) =>
                    h(
                      'tr',
                      { 'data-unit': f.unitId },
                      h(
                        'th',
                        { scope: 'row' },
                        h(
                          'a',
                          { href: link('/figure', state, { code, scope: f.scope }) },
                          nameOf.get(f.unitId) ?? f.unitId,
                        ),
                      ),
                      h('td', {}, formatPercent(f.value, lang())),
                      h(
                        'td',
                        {},
                        `${formatInteger(f.numerator, lang())}/${formatInteger(f.denominator, lang())}`,
                      ),
                      h('td', {}, formatInteger(shortOf(f, target?.target), lang())),
                    ),
                  ),
                ),
              ),
            ),
          );
        })();

  let history: HTMLElement;
  if (!mayAudit) {
    history = h('p', { class: 'note' }, t().historyOnly);
  } else {
    const rows = (
      await getJson<{ rows: HistoryRow[] }>(
        `/v1/indicators/${encodeURIComponent(code)}/history${query({ scope, knownAt: state.knownAt })}`,
      )
    ).rows;
    const newest = [...rows]
      .sort((a, b) =>
        BigInt(b.position) > BigInt(a.position)
          ? 1
          : BigInt(b.position) < BigInt(a.position)
            ? -1
            : 0,
      )
      .slice(0, HISTORY_SHOWN);
    history = h(
      'div',
      {},
      h('p', { class: 'muted' }, t().historyShown(newest.length, rows.length)),
      h(
        'div',
        { class: 'table-box' },
        h(
          'table',
          { class: 'list', 'data-testid': 'history' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                t().validFrom,
                t().recordedAt,
                'Δ ' + t().numerator,
                'Δ ' + t().denominator,
                t().teacher,
                t().event,
              ].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            newest.map((r) =>
              h(
                'tr',
                {},
                h('td', {}, formatDate(r.validFrom)),
                h('td', {}, r.recordedAt === null ? '—' : formatInstant(r.recordedAt)),
                h('td', {}, r.dNumerator > 0 ? `+${r.dNumerator}` : String(r.dNumerator)),
                h('td', {}, r.dDenominator > 0 ? `+${r.dDenominator}` : String(r.dDenominator)),
                h(
                  'td',
                  {},
                  h('a', { href: link('/teacher', state, { id: r.teacherId }) }, r.teacherId),
                ),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link',
                      'data-event': r.eventId,
                      'aria-expanded': 'false',
                      onClick: (e: Event) => void showEvent(r, e.currentTarget as HTMLElement),
                    },
                    t().showEvent,
                  ),
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }

  clear(
    main,
    h(
      'p',
      { class: 'no-print' },
      h('a', { href: backHref(state), 'data-testid': 'back' }, `← ${t().back}`),
    ),
    h('h1', { class: 'page-title' }, `${name} — ${context.name}`),
    h(
      'dl',
      { class: 'facts', 'data-testid': 'explain' },
      h('dt', {}, t().scope),
      h('dd', { 'data-testid': 'scope' }, context.name),
      h('dt', {}, t().asOf),
      h('dd', {}, formatDate(explain.asOf)),
      h('dt', {}, t().value),
      h('dd', { 'data-testid': 'value' }, formatPercent(explain.value, lang())),
      h('dt', {}, t().numerator),
      h('dd', { 'data-testid': 'numerator' }, formatInteger(explain.numerator, lang())),
      h('dt', {}, t().denominator),
      h('dd', { 'data-testid': 'denominator' }, formatInteger(explain.denominator, lang())),
      h('dt', {}, t().target),
      h(
        'dd',
        {},
        target === undefined ? '—' : `≥ ${formatPercent(target.target, lang())} (${target.year})`,
      ),
      target === undefined
        ? null
        : [
            h('dt', {}, t().shortColumn),
            h('dd', {}, formatInteger(shortOf(explain, target.target), lang())),
          ],
    ),
    explain.denominator > explain.numerator
      ? h(
          'p',
          { 'data-testid': 'reason' },
          t().reasonLine(
            formatInteger(explain.denominator - explain.numerator, lang()),
            lackOf(code),
          ),
        )
      : null,
    lineChart({
      id: 'figure-chart',
      title: `${name} — ${context.name}`,
      description: t().chartDesc(name),
      points: context.series.map((p) => ({ date: p.date, value: p.value })),
      targets: indicator?.targets ?? [],
    }),
    breakdown,
    h(
      'section',
      { 'aria-labelledby': 'who-h' },
      h('h2', { id: 'who-h' }, t().whoCounted),
      teachers,
    ),
    h(
      'section',
      { 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, t().historyTitle),
      history,
    ),
  );
};
