import { h, s } from './dom.js';
import type { Point, Target } from './forecast.js';
import { formatDate, formatPercent } from './format.js';
import { lang, t } from './i18n.js';

const W = 320;
const H = 170;
const PAD = { left: 38, right: 10, top: 10, bottom: 24 };
/** Text in the chart's own units; the chart is never drawn narrower than its 320-unit box on a phone. */
const TEXT = 12;

const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`);

export interface ChartRange {
  readonly date: string;
  readonly low: number;
  readonly high: number;
}

/**
 * A line chart of a share over time with its target lines, as inline SVG,
 * and its legend in HTML beside it (labels never overprint: the targets are
 * named in the legend, not on their lines). A forecast is drawn as a dashed
 * fan from the latest value to its range on the judging date, so it never
 * reads as data.
 */
export const lineChart = (options: {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly points: readonly Point[];
  readonly targets: readonly Target[];
  readonly range?: ChartRange | undefined;
}): HTMLElement => {
  const { points, targets } = options;
  const start = dayOf('2024-01-01');
  const lastDate = [options.range?.date, points.at(-1)?.date, '2025-12-31']
    .filter((d): d is string => d !== undefined)
    .sort()
    .at(-1) as string;
  const end = dayOf(lastDate);
  const x = (date: string) =>
    PAD.left + ((dayOf(date) - start) / (end - start)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - v) * (H - PAD.top - PAD.bottom);
  const known = points.filter((p): p is { date: string; value: number } => p.value !== null);
  const last = known.at(-1);
  const years = ['2024', '2025', '2026', '2027', '2028', '2029', '2030', '2031'].filter(
    (yr) => dayOf(`${yr}-01-01`) <= end,
  );
  // One year label in two when the axis is long, so labels keep their distance.
  const step = years.length > 4 ? 2 : 1;
  const range = options.range;

  const svg = s(
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
      range === undefined
        ? ''
        : ` ${t().forecastRangeOn(formatDate(range.date))}: ${formatPercent(range.low, lang())} – ${formatPercent(range.high, lang())}.`,
    ),
    [0, 0.25, 0.5, 0.75, 1].map((v) => [
      s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }),
      s(
        'text',
        { x: PAD.left - 4, y: y(v) + 4, class: 'axis', 'text-anchor': 'end', 'font-size': TEXT },
        `${v * 100}%`,
      ),
    ]),
    years
      .filter((_, i) => i % step === 0)
      .map((yr) =>
        s(
          'text',
          {
            x: Math.min(x(`${yr}-01-01`), W - PAD.right - 14),
            y: H - 6,
            class: 'axis',
            'text-anchor': 'start',
            'font-size': TEXT,
          },
          yr,
        ),
      ),
    targets.map((tg) =>
      s('line', {
        class: `target target-${tg.year}`,
        x1: PAD.left,
        x2: W - PAD.right,
        y1: y(tg.target),
        y2: y(tg.target),
      }),
    ),
    targets.map((tg) =>
      dayOf(tg.judgedAsOf) <= end
        ? s('circle', {
            class: `target-mark target-${tg.year}`,
            cx: x(tg.judgedAsOf),
            cy: y(tg.target),
            r: 3,
          })
        : null,
    ),
    last !== undefined && range !== undefined
      ? s('polygon', {
          class: 'projection-range',
          points: `${x(last.date)},${y(last.value)} ${x(range.date)},${y(range.high)} ${x(range.date)},${y(range.low)}`,
        })
      : null,
    last !== undefined && range !== undefined
      ? [range.low, range.high].map((v) =>
          s('line', {
            class: 'projection',
            x1: x(last.date),
            y1: y(last.value),
            x2: x(range.date),
            y2: y(v),
          }),
        )
      : null,
    known.length > 0
      ? s('polyline', {
          class: 'series',
          points: known.map((p) => `${x(p.date).toFixed(1)},${y(p.value).toFixed(1)}`).join(' '),
        })
      : null,
    last === undefined
      ? null
      : s('circle', { cx: x(last.date), cy: y(last.value), r: 3.5, class: 'series-dot' }),
  );

  const swatch = (cls: string) => h('span', { class: `swatch ${cls}`, 'aria-hidden': 'true' });
  return h(
    'figure',
    { class: 'chart-figure' },
    svg,
    h(
      'figcaption',
      { class: 'legend' },
      h('span', {}, swatch('swatch-series'), t().legendActual),
      targets.map((tg) =>
        h(
          'span',
          {},
          swatch(`swatch-target-${tg.year}`),
          `${t().target} ${tg.year}: ${formatPercent(tg.target, lang())}`,
        ),
      ),
      range === undefined
        ? null
        : h(
            'span',
            {},
            swatch('swatch-projection'),
            `${t().forecastRangeOn(formatDate(range.date))}: ${formatPercent(range.low, lang())}${range.high - range.low >= 0.0005 ? ` – ${formatPercent(range.high, lang())}` : ''}`,
          ),
    ),
  );
};
