import { type Figures, type Unit, getJson, query } from '../api.js';
import { areaName } from '../areas.js';
import { toCsv } from '../csv.js';
import { clear, h } from '../dom.js';
import { bandOf, currentTarget } from '../forecast.js';
import { formatDate, formatInteger, formatPercent } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, link, overviewData } from '../state.js';

const BAND_SYMBOL = { met: '✓', near: '▲', far: '▼', none: '–' } as const;

interface Cell {
  readonly value: number | null;
  readonly numerator: number;
  readonly denominator: number;
}
interface Row {
  readonly unit: Unit;
  readonly values: Map<string, Cell>;
}

/** The smallest n with (numerator + n) / denominator ≥ target. */
export const shortOf = (c: Cell | undefined, target: number | undefined): number =>
  c === undefined || target === undefined || c.denominator === 0
    ? 0
    : Math.max(0, Math.ceil(target * c.denominator - 1e-9) - c.numerator);

/** Sorting and filters survive a re-render of the page. */
const view = { sort: 'name', descending: false, area: '', kind: '' };

/**
 * Horizontal bars of one indicator, unit by unit, against the target line:
 * drawn in HTML so the names wrap and stay readable on a phone.
 */
const barChart = (
  title: string,
  rows: readonly { name: string; cell: Cell | undefined; href: string }[],
  target: { year: number; target: number } | undefined,
) =>
  h(
    'figure',
    { class: 'bars', 'data-testid': 'bars' },
    h('figcaption', {}, title),
    h(
      'ol',
      { class: 'bar-list' },
      rows.map((r) => {
        const v = r.cell?.value ?? null;
        const short = shortOf(r.cell, target?.target);
        return h(
          'li',
          {},
          h('a', { href: r.href, class: 'bar-name' }, r.name),
          h(
            'span',
            { class: 'bar-track', 'aria-hidden': 'true' },
            h('span', {
              class: `bar-fill band-${bandOf(v, target?.target)}`,
              style: `width:${((v ?? 0) * 100).toFixed(1)}%`,
            }),
            target === undefined
              ? null
              : h('span', {
                  class: 'bar-target',
                  style: `left:${(target.target * 100).toFixed(1)}%`,
                }),
          ),
          h(
            'span',
            { class: 'bar-value' },
            `${formatPercent(v, lang())}${short > 0 ? ` · ${t().lacks(formatInteger(short, lang()))}` : ''}`,
          ),
        );
      }),
    ),
    target === undefined
      ? null
      : h(
          'p',
          { class: 'legend' },
          h(
            'span',
            {},
            h('span', { class: 'swatch swatch-bar-target', 'aria-hidden': 'true' }),
            `${t().target} ${target.year}: ${formatPercent(target.target, lang())}`,
          ),
        ),
  );

export const renderUnits = async (
  main: HTMLElement,
  state: State,
  params: URLSearchParams,
): Promise<void> => {
  const [units, figures, overview] = await Promise.all([
    getJson<{ units: Unit[] }>(`/v1/units${query({ asOf: state.asOf })}`),
    getJson<Figures>(
      `/v1/indicators${query({ asOf: state.asOf, knownAt: state.knownAt, by: 'unit' })}`,
    ),
    overviewData(state.asOf, state.knownAt),
  ]);
  const chartCode = params.get('chart') ?? state.plan.indicators[0]?.code ?? '';
  const rows: Row[] = units.units.map((unit) => ({
    unit,
    values: new Map(
      figures.figures
        .filter((f) => f.scope === `unit:${unit.unitId}`)
        .map((f) => [
          f.indicator,
          { value: f.value, numerator: f.numerator, denominator: f.denominator },
        ]),
    ),
  }));
  const targetOf = new Map(
    state.plan.indicators.map((i) => [i.code, currentTarget(i.targets, state.asOf)]),
  );
  const nameOf = new Map(units.units.map((u) => [u.unitId, u.name]));
  const areas = [...new Set(units.units.map((u) => u.area))].sort();
  const kinds = [...new Set(units.units.map((u) => u.kind))].sort();
  const province = new Map(overview.indicators.map((i) => [i.code, i.figure]));
  const population = (r: Row) => Math.max(0, ...[...r.values.values()].map((c) => c.denominator));

  const tableBox = h('div', { class: 'table-box' });
  const chartBox = h('div', {});
  const status = h('p', { class: 'sr-only', 'aria-live': 'polite' });

  const visible = (): Row[] => {
    const list = rows.filter(
      (r) =>
        (view.area === '' || r.unit.area === view.area) &&
        (view.kind === '' || r.unit.kind === view.kind),
    );
    const key = (r: Row): string | number =>
      view.sort === 'name' ? r.unit.name : (r.values.get(view.sort)?.value ?? -1);
    list.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const c =
        typeof ka === 'number' && typeof kb === 'number'
          ? ka - kb
          : String(ka).localeCompare(String(kb), 'vi');
      return view.descending ? -c : c;
    });
    return list;
  };

  const header = (code: string, label: string) => {
    const sorted = view.sort === code;
    return h(
      'th',
      {
        scope: 'col',
        'aria-sort': sorted ? (view.descending ? 'descending' : 'ascending') : 'none',
      },
      h(
        'button',
        {
          type: 'button',
          class: 'sort',
          'aria-label': t().sortBy(label),
          'data-sort': code,
          onClick: () => {
            view.descending = view.sort === code ? !view.descending : code !== 'name';
            view.sort = code;
            draw();
          },
        },
        label,
        h('span', { 'aria-hidden': 'true' }, sorted ? (view.descending ? ' ▾' : ' ▴') : ''),
      ),
    );
  };

  const valueCell = (code: string, cell: Cell | undefined, href: string) => {
    const target = targetOf.get(code)?.target;
    const band = bandOf(cell?.value ?? null, target);
    const short = shortOf(cell, target);
    return h(
      'td',
      { class: `band band-${band}`, 'data-indicator': code },
      h(
        'a',
        { href },
        h('span', { 'aria-hidden': 'true' }, BAND_SYMBOL[band], ' '),
        formatPercent(cell?.value ?? null, lang()),
        h('span', { class: 'sr-only' }, ` (${t().band[band]})`),
        cell === undefined || cell.denominator === 0
          ? null
          : h(
              'small',
              { class: 'block' },
              `${formatInteger(cell.numerator, lang())}/${formatInteger(cell.denominator, lang())}`,
              short > 0 ? ` · ${t().lacks(formatInteger(short, lang()))}` : '',
            ),
      ),
    );
  };

  const draw = (): void => {
    const list = visible();
    const live = list.filter((r) => r.unit.countsUnder === r.unit.unitId);
    const merged = list.filter((r) => r.unit.countsUnder !== r.unit.unitId);
    clear(
      tableBox,
      h(
        'table',
        { class: 'matrix', 'data-testid': 'matrix' },
        h('caption', { class: 'sr-only' }, t().unitsTitle),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            header('name', t().unit),
            h('th', { scope: 'col' }, t().kind),
            h('th', { scope: 'col' }, t().area),
            h('th', { scope: 'col' }, t().teachers),
            state.plan.indicators.map((i) => header(i.code, i.title[lang()])),
          ),
        ),
        h(
          'tbody',
          {},
          h(
            'tr',
            { class: 'province-row', 'data-unit': 'province' },
            h('th', { scope: 'row' }, t().province),
            h('td', {}, '—'),
            h('td', {}, '—'),
            h(
              'td',
              {},
              formatInteger(
                Math.max(0, ...[...province.values()].map((c) => c.denominator)),
                lang(),
              ),
            ),
            state.plan.indicators.map((i) =>
              valueCell(
                i.code,
                province.get(i.code),
                link('/figure', state, { code: i.code, scope: 'province' }),
              ),
            ),
          ),
          live.map((r) =>
            h(
              'tr',
              { 'data-unit': r.unit.unitId },
              h(
                'th',
                { scope: 'row' },
                h('a', { href: link('/unit', state, { id: r.unit.unitId }) }, r.unit.name),
              ),
              h('td', { 'data-testid': 'kind' }, t().kinds[r.unit.kind] ?? r.unit.kind),
              h('td', {}, areaName(r.unit.area)),
              h('td', {}, formatInteger(population(r), lang())),
              state.plan.indicators.map((i) =>
                valueCell(
                  i.code,
                  r.values.get(i.code),
                  link('/figure', state, { code: i.code, scope: `unit:${r.unit.unitId}` }),
                ),
              ),
            ),
          ),
          merged.map((r) =>
            h(
              'tr',
              { 'data-unit': r.unit.unitId, class: 'merged-row' },
              h('th', { scope: 'row' }, r.unit.name),
              h('td', { 'data-testid': 'kind' }, t().kinds[r.unit.kind] ?? r.unit.kind),
              h('td', {}, areaName(r.unit.area)),
              h(
                'td',
                { colspan: state.plan.indicators.length + 1, class: 'merged' },
                t().mergedRow(nameOf.get(r.unit.countsUnder) ?? r.unit.countsUnder),
                ' ',
                h('a', { href: link('/unit', state, { id: r.unit.countsUnder }) }, t().seeUnit),
              ),
            ),
          ),
        ),
      ),
    );
    const indicator = state.plan.indicators.find((i) => i.code === chartCode);
    clear(
      chartBox,
      indicator === undefined
        ? null
        : barChart(
            t().barsTitle(indicator.title[lang()], formatDate(state.asOf)),
            live.map((r) => ({
              name: r.unit.name,
              cell: r.values.get(chartCode),
              href: link('/unit', state, { id: r.unit.unitId }),
            })),
            targetOf.get(chartCode),
          ),
    );
    status.textContent = `${list.length} / ${rows.length}`;
  };

  const select = (
    id: string,
    label: string,
    options: string[],
    value: string,
    onChange: (v: string) => void,
    text: (v: string) => string,
  ) =>
    h(
      'label',
      { for: id },
      `${label} `,
      h(
        'select',
        { id, onChange: (e: Event) => onChange((e.target as HTMLSelectElement).value) },
        h('option', { value: '' }, t().all),
        options.map((o) => h('option', { value: o, selected: o === value }, text(o))),
      ),
    );

  const exportCsv = (): void => {
    const list = visible();
    const csv = toCsv(
      [
        'unitId',
        'unit',
        'kind',
        'area',
        'countsUnder',
        ...state.plan.indicators.flatMap((i) => [
          `${i.code}.numerator`,
          `${i.code}.denominator`,
          `${i.code}.value`,
        ]),
      ],
      list.map((r) => [
        r.unit.unitId,
        r.unit.name,
        r.unit.kind,
        r.unit.area,
        r.unit.countsUnder,
        ...state.plan.indicators.flatMap((i) => {
          const c = r.values.get(i.code);
          return [c?.numerator ?? 0, c?.denominator ?? 0, c?.value ?? ''];
        }),
      ]),
    );
    const a = h('a', {
      href: URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' })),
      download: `nhagiao-units-${state.asOf}.csv`,
    });
    document.body.appendChild(a);
    a.click();
    a.remove();
  };

  clear(
    main,
    h('h1', { class: 'page-title' }, t().unitsTitle),
    h('p', { class: 'help' }, t().unitsHelp),
    h(
      'div',
      { class: 'toolbar no-print' },
      select(
        'filter-area',
        t().area,
        areas,
        view.area,
        (v) => {
          view.area = v;
          draw();
        },
        areaName,
      ),
      select(
        'filter-kind',
        t().kind,
        kinds,
        view.kind,
        (v) => {
          view.kind = v;
          draw();
        },
        (v) => t().kinds[v] ?? v,
      ),
      h(
        'label',
        { for: 'chart-indicator' },
        `${t().chartOf} `,
        h(
          'select',
          {
            id: 'chart-indicator',
            onChange: (e: Event) => {
              const own = new URLSearchParams(location.hash.split('?')[1] ?? '');
              location.hash = link('/units', state, {
                ...Object.fromEntries(own),
                chart: (e.target as HTMLSelectElement).value,
              });
            },
          },
          state.plan.indicators.map((i) =>
            h('option', { value: i.code, selected: i.code === chartCode }, i.title[lang()]),
          ),
        ),
      ),
      h(
        'button',
        { type: 'button', onClick: exportCsv, 'data-testid': 'export-csv' },
        t().exportCsv,
      ),
    ),
    status,
    tableBox,
    chartBox,
  );
  draw();
};
