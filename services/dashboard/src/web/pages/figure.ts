import {
  type Explanation,
  type HistoryRow,
  type RecordedEventJson,
  getJson,
  query,
} from '../api.js';
import { clear, h } from '../dom.js';
import { formatDate, formatInstant, formatInteger, formatPercent } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, backHref } from '../state.js';

const PERSONAL_DATA_ROLES = ['auditor', 'admin'];
const HISTORY_SHOWN = 200;

/** The teacher's events, fetched once per teacher while the page is open. */
const eventsOf = new Map<string, Promise<RecordedEventJson[]>>();
const teacherEvents = (teacherId: string): Promise<RecordedEventJson[]> => {
  let hit = eventsOf.get(teacherId);
  if (hit === undefined) {
    hit = getJson<{ events: RecordedEventJson[] }>(
      `/v1/teachers/${encodeURIComponent(teacherId)}/events`,
    ).then((r) => r.events);
    eventsOf.set(teacherId, hit);
  }
  return hit;
};

const eventView = (e: RecordedEventJson) =>
  h(
    'section',
    { class: 'event', 'data-event-id': e.id, 'aria-label': `${t().eventTitle} ${e.type}` },
    h('h3', {}, `${e.type} — ${formatInstant(e.recordedAt)} — ${t().position} ${e.position}`),
    h('pre', { tabindex: 0 }, JSON.stringify(e, null, 2)),
  );

export const renderFigure = async (
  main: HTMLElement,
  state: State,
  params: URLSearchParams,
): Promise<void> => {
  const code = params.get('code') ?? '';
  const scope = params.get('scope') ?? 'province';
  const indicator = state.plan.indicators.find((i) => i.code === code);
  const explain = await getJson<Explanation>(
    `/v1/indicators/${encodeURIComponent(code)}/explain${query({ asOf: state.asOf, knownAt: state.knownAt, scope })}`,
  );
  const mayAudit = PERSONAL_DATA_ROLES.includes(state.session.role);
  const detail = h('div', { class: 'detail', 'aria-live': 'polite' });

  const showTeacher = async (teacherId: string): Promise<void> => {
    clear(detail, t().loading);
    const [teacher, events] = await Promise.all([
      getJson<{ fullName: string | null }>(`/v1/teachers/${encodeURIComponent(teacherId)}`),
      teacherEvents(teacherId),
    ]);
    clear(
      detail,
      h(
        'h2',
        {},
        `${t().teacher}: ${teacher.fullName ?? teacherId}`,
        h('span', { class: 'muted' }, ` (${teacherId})`),
      ),
      h('h3', {}, t().teacherEvents),
      events.map(eventView),
    );
    detail.focus();
  };

  const showEvent = async (row: HistoryRow): Promise<void> => {
    clear(detail, t().loading);
    const event = (await teacherEvents(row.teacherId)).find((e) => e.id === row.eventId);
    clear(
      detail,
      h('h2', {}, t().eventTitle),
      event === undefined ? row.eventId : eventView(event),
    );
    detail.focus();
  };

  const teachers =
    explain.teachers === undefined
      ? h('p', { class: 'note', 'data-testid': 'personal-only' }, t().personalOnly)
      : h(
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
            explain.teachers.map((c) =>
              h(
                'tr',
                {},
                h(
                  'td',
                  {},
                  h(
                    'button',
                    { type: 'button', class: 'link', onClick: () => void showTeacher(c.teacherId) },
                    c.teacherId,
                  ),
                ),
                h(
                  'td',
                  {},
                  c.numerator > 0 ? `✓ ${t().inNumerator}` : `○ ${t().inDenominatorOnly}`,
                ),
              ),
            ),
          ),
        );

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
              t().position,
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
              h('td', {}, r.position),
              h('td', {}, r.dNumerator > 0 ? `+${r.dNumerator}` : String(r.dNumerator)),
              h('td', {}, r.dDenominator > 0 ? `+${r.dDenominator}` : String(r.dDenominator)),
              h('td', {}, r.teacherId),
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'link',
                    'data-event': r.eventId,
                    onClick: () => void showEvent(r),
                  },
                  t().showEvent,
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }
  detail.tabIndex = -1;

  clear(
    main,
    h(
      'p',
      { class: 'no-print' },
      h('a', { href: backHref(state), 'data-testid': 'back' }, `← ${t().back}`),
    ),
    h('h1', { class: 'page-title' }, `${t().figureTitle}: ${indicator?.title[lang()] ?? code}`),
    h(
      'dl',
      { class: 'facts', 'data-testid': 'explain' },
      h('dt', {}, t().scope),
      h('dd', {}, scope === 'province' ? t().province : scope),
      h('dt', {}, t().asOf),
      h('dd', {}, formatDate(explain.asOf)),
      h('dt', {}, t().numerator),
      h('dd', { 'data-testid': 'numerator' }, formatInteger(explain.numerator, lang())),
      h('dt', {}, t().denominator),
      h('dd', { 'data-testid': 'denominator' }, formatInteger(explain.denominator, lang())),
      h('dt', {}, t().value),
      h('dd', { 'data-testid': 'value' }, formatPercent(explain.value, lang())),
      h('dt', {}, t().target),
      h('dd', {}, explain.target === null ? '—' : `≥ ${formatPercent(explain.target, lang())}`),
    ),
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
    detail,
  );
};
