import { type Figures, type Unit, getJson, query } from '../api.js';
import { clear, h } from '../dom.js';
import { bandOf, currentTarget } from '../forecast.js';
import { toCsv } from '../csv.js';
import { formatPercent } from '../format.js';
import { lang, t } from '../i18n.js';
import { type State, link } from '../state.js';

const BAND_SYMBOL = { met: '✓', near: '▲', far: '▼', none: '–' } as const;

interface Row {
  readonly unit: Unit;
  readonly values: Map<string, { value: number | null; numerator: number; denominator: number }>;
}

/** Sorting and filters survive a re-render of the page. */
const view = { sort: 'name', descending: false, area: '', kind: '' };

export const renderUnits = async (
  main: HTMLElement,
  state: State,
  _params: URLSearchParams,
): Promise<void> => {
  const [units, figures] = await Promise.all([
    getJson<{ units: Unit[] }>(`/v1/units${query({ asOf: state.asOf })}`),
    getJson<Figures>(
      `/v1/indicators${query({ asOf: state.asOf, knownAt: state.knownAt, by: 'unit' })}`,
    ),
  ]);
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
    state.plan.indicators.map((i) => [i.code, currentTarget(i.targets, state.asOf)?.target]),
  );
  const nameOf = new Map(units.units.map((u) => [u.unitId, u.name]));
  const areas = [...new Set(units.units.map((u) => u.area))].sort();
  const kinds = [...new Set(units.units.map((u) => u.kind))].sort();

  const tableBox = h('div', { class: 'table-box' });
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

  const draw = (): void => {
    const list = visible();
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
            state.plan.indicators.map((i) => header(i.code, i.title[lang()])),
          ),
        ),
        h(
          'tbody',
          {},
          list.map((r) =>
            h(
              'tr',
              { 'data-unit': r.unit.unitId },
              h(
                'th',
                { scope: 'row' },
                r.unit.name,
                r.unit.countsUnder !== r.unit.unitId
                  ? h(
                      'span',
                      { class: 'merged' },
                      ` (${t().mergedInto} ${nameOf.get(r.unit.countsUnder) ?? r.unit.countsUnder})`,
                    )
                  : '',
              ),
              h('td', {}, t().kinds[r.unit.kind] ?? r.unit.kind),
              h('td', {}, r.unit.area),
              state.plan.indicators.map((i) => {
                const cell = r.values.get(i.code);
                const band = bandOf(cell?.value ?? null, targetOf.get(i.code));
                return h(
                  'td',
                  { class: `band band-${band}`, 'data-indicator': i.code },
                  h(
                    'a',
                    {
                      href: link('/figure', state, {
                        code: i.code,
                        scope: `unit:${r.unit.unitId}`,
                      }),
                    },
                    h('span', { 'aria-hidden': 'true' }, BAND_SYMBOL[band], ' '),
                    formatPercent(cell?.value ?? null, lang()),
                    h('span', { class: 'sr-only' }, ` (${t().band[band]})`),
                  ),
                );
              }),
            ),
          ),
        ),
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
    const link = h('a', {
      href: URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' })),
      download: `nhagiao-units-${state.asOf}.csv`,
    });
    document.body.appendChild(link);
    link.click();
    link.remove();
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
        (v) => v,
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
        'button',
        { type: 'button', onClick: exportCsv, 'data-testid': 'export-csv' },
        t().exportCsv,
      ),
    ),
    status,
    tableBox,
  );
  draw();
};
