import { type RecordedEventJson, type Unit, getJson, query } from '../api.js';
import { clear, h } from '../dom.js';
import { t } from '../i18n.js';
import { type State, backHref } from '../state.js';
import { timeline } from '../timeline.js';

/** A teacher's profile for auditors and admins: the events of their record, as a timeline. */
export const renderTeacher = async (
  main: HTMLElement,
  state: State,
  params: URLSearchParams,
): Promise<void> => {
  const id = params.get('id') ?? '';
  const path = `/v1/teachers/${encodeURIComponent(id)}`;
  const [teacher, events, units] = await Promise.all([
    getJson<{ fullName: string | null }>(path),
    getJson<{ events: RecordedEventJson[] }>(`${path}/events`),
    getJson<{ units: Unit[] }>(`/v1/units${query({ asOf: state.asOf })}`),
  ]);
  const names = new Map(units.units.map((u) => [u.unitId, u.name]));
  clear(
    main,
    h(
      'p',
      { class: 'no-print' },
      h('a', { href: backHref(state), 'data-testid': 'back' }, `← ${t().back}`),
    ),
    h(
      'h1',
      { class: 'page-title' },
      `${t().teacher}: ${teacher.fullName ?? id}`,
      h('span', { class: 'muted' }, ` (${id})`),
    ),
    h('h2', {}, t().teacherEvents),
    timeline(events.events, (unitId) => names.get(unitId) ?? unitId),
  );
};
