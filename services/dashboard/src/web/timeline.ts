import type { RecordedEventJson } from './api.js';
import { h } from './dom.js';
import { formatDate, formatInstant } from './format.js';
import { lang, t } from './i18n.js';

/** The business date an event carries (hiredOn, awardedOn, …), else its recording day. */
const businessDate = (e: RecordedEventJson): string => {
  for (const [k, v] of Object.entries(e.data)) {
    if (k.endsWith('On') && typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  }
  return e.recordedAt.slice(0, 10);
};

/** The fields a reader needs, in words: level, field, institution, programme, unit… */
const summary = (e: RecordedEventJson): string => {
  const d = e.data;
  const parts: string[] = [];
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const level = str('level');
  if (level !== undefined) parts.push(t().levels[level] ?? level);
  for (const k of [
    'field',
    'institution',
    'title',
    'programmeId',
    'unitId',
    'toUnitId',
    'name',
    'reason',
  ]) {
    const v = str(k);
    if (v !== undefined) parts.push(v);
  }
  const employment = str('employment');
  if (employment !== undefined) parts.push(t().employment[employment] ?? employment);
  return parts.join(' · ');
};

/** An event as a line of a timeline, in the reader's language; the raw record folded under it. */
export const eventView = (e: RecordedEventJson) =>
  h(
    'li',
    { class: 'event', 'data-event-id': e.id, 'data-type': e.type },
    h('span', { class: 'event-date' }, formatDate(businessDate(e))),
    h(
      'span',
      { class: 'event-body' },
      h('strong', {}, t().eventTypes[e.type] ?? e.type),
      summary(e) === '' ? '' : ` — ${summary(e)}`,
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

export const timeline = (events: readonly RecordedEventJson[]) =>
  h(
    'ol',
    { class: 'timeline', 'data-testid': 'timeline', lang: lang() },
    [...events]
      .sort((a, b) =>
        businessDate(a) < businessDate(b) ? -1 : businessDate(a) > businessDate(b) ? 1 : 0,
      )
      .map(eventView),
  );
