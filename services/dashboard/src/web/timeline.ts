import type { RecordedEventJson } from './api.js';
import { h } from './dom.js';
import { formatDate, formatInstant } from './format.js';
import { lang, t } from './i18n.js';

/** The business date an event carries (hiredOn, awardedOn, …), or null (a registration has none). */
const businessDate = (e: RecordedEventJson): string | null => {
  for (const [k, v] of Object.entries(e.data)) {
    if (k.endsWith('On') && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  }
  return null;
};

/** The fields a reader needs, in words: level, field, institution, programme, unit… */
const summary = (e: RecordedEventJson, unitName: (id: string) => string): string => {
  const d = e.data;
  const parts: string[] = [];
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const kind = str('kind');
  if (kind !== undefined) parts.push(t().certificateKinds[kind] ?? kind);
  const level = d.level;
  if (typeof level === 'string') parts.push(t().levels[level] ?? level);
  if (typeof level === 'number') parts.push(`${t().grade} ${level}`);
  for (const k of ['occupation', 'field', 'institution', 'title', 'programmeId', 'name']) {
    const v = str(k);
    if (v !== undefined) parts.push(v);
  }
  for (const k of ['unitId', 'toUnitId']) {
    const v = str(k);
    if (v !== undefined) parts.push(unitName(v));
  }
  const reason = str('reason');
  if (reason !== undefined) parts.push(t().leaveReasons[reason] ?? reason);
  const employment = str('employment');
  if (employment !== undefined) parts.push(t().employment[employment] ?? employment);
  return parts.join(' · ');
};

/** An event as a line of a timeline, in the reader's language; the raw record folded under it. */
export const eventView = (e: RecordedEventJson, unitName: (id: string) => string = (id) => id) =>
  h(
    'li',
    { class: 'event', 'data-event-id': e.id, 'data-type': e.type },
    h('span', { class: 'event-date' }, formatDate(businessDate(e) ?? '—')),
    h(
      'span',
      { class: 'event-body' },
      h('strong', {}, t().eventTypes[e.type] ?? e.type),
      summary(e, unitName) === '' ? '' : ` — ${summary(e, unitName)}`,
      h(
        'small',
        { class: 'block muted' },
        `${t().recordedAt} ${formatInstant(e.recordedAt)} · ${t().position} ${e.position}`,
      ),
      h(
        'details',
        {},
        h('summary', {}, t().rawRecord),
        h('pre', { tabindex: 0, lang: 'en' }, JSON.stringify(e, null, 2)),
      ),
    ),
  );

export const timeline = (
  events: readonly RecordedEventJson[],
  unitName: (id: string) => string = (id) => id,
) => {
  // Undated events (a registration) first, then by business date, then by position.
  const key = (e: RecordedEventJson) =>
    `${businessDate(e) ?? '0000-00-00'}|${e.position.padStart(20, '0')}`;
  return h(
    'ol',
    { class: 'timeline', 'data-testid': 'timeline', lang: lang() },
    [...events]
      .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
      .map((e) => eventView(e, unitName)),
  );
};
