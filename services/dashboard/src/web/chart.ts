import { s } from './dom.js';
import type { Point, Target } from './forecast.js';
import { formatDate, formatPercent } from './format.js';
import { lang } from './i18n.js';

const W = 320;
const H = 150;
const PAD = { left: 34, right: 8, top: 8, bottom: 20 };

const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`);

/**
 * A line chart of a share over time with its target lines, as inline SVG.
 * `projection` draws the forecast as a dashed segment, so it never reads as data.
 */
export const lineChart = (options: {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly points: readonly Point[];
  readonly targets: readonly Target[];
  readonly projection?: { readonly date: string; readonly value: number } | undefined;
}): SVGElement => {
  const { points, targets } = options;
  const start = dayOf('2024-01-01');
  const lastDate = options.projection?.date ?? points.at(-1)?.date ?? '2025-12-31';
  const end = Math.max(dayOf(lastDate), dayOf('2025-12-31'));
  const x = (date: string) =>
    PAD.left + ((dayOf(date) - start) / (end - start)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v) * (H - PAD.top - PAD.bottom);
  const known = points.filter((p): p is { date: string; value: number } => p.value !== null);
  const last = known.at(-1);

  return s(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-labelledby': `${options.id}-t ${options.id}-d`,
      class: 'chart',
    },
    s('title', { id: `${options.id}-t` }, options.title),
    s(
      'desc',
      { id: `${options.id}-d` },
      options.description,
      last === undefined ? '' : ` ${formatDate(last.date)}: ${formatPercent(last.value, lang())}.`,
    ),
    [0, 0.25, 0.5, 0.75, 1].map((v) => [
      s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }),
      s(
        'text',
        { x: PAD.left - 4, y: y(v) + 3, class: 'axis', 'text-anchor': 'end' },
        `${v * 100}%`,
      ),
    ]),
    ['2024-01-01', '2025-01-01', '2026-01-01', '2028-01-01', '2030-01-01']
      .filter((d) => dayOf(d) <= end)
      .map((d) =>
        s('text', { x: x(d), y: H - 6, class: 'axis', 'text-anchor': 'middle' }, d.slice(0, 4)),
      ),
    targets.map((t) =>
      s(
        'g',
        { class: `target target-${t.year}` },
        s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(t.target), y2: y(t.target) }),
        s(
          'text',
          { x: W - PAD.right - 2, y: y(t.target) - 3, 'text-anchor': 'end' },
          `${t.year}: ${formatPercent(t.target, lang())}`,
        ),
      ),
    ),
    known.length > 0
      ? s('polyline', {
          class: 'series',
          points: known.map((p) => `${x(p.date).toFixed(1)},${y(p.value).toFixed(1)}`).join(' '),
        })
      : null,
    last === undefined
      ? null
      : s('circle', { cx: x(last.date), cy: y(last.value), r: 3, class: 'series-dot' }),
    last !== undefined && options.projection !== undefined
      ? s('line', {
          class: 'projection',
          x1: x(last.date),
          y1: y(last.value),
          x2: x(options.projection.date),
          y2: y(options.projection.value),
        })
      : null,
  );
};
