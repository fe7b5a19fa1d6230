import {
  type Language,
  type Plan,
  type UnitKind,
  indicatorOf,
  targetFor,
  unitKindLabels,
} from '@nhagiao/domain';
import type { FigureRow } from '@nhagiao/readmodels';
import type { UnitNames } from '../runtime.js';
import { percentVi, renderCsv, renderTable } from './table.js';

export const TARGET_YEARS = [2025, 2030] as const;

/** A figure with its plan context: titles, targets and whether each is reached. */
export interface FigureReport {
  readonly indicator: string;
  readonly title: string;
  readonly shortTitle: string;
  readonly scope: string;
  readonly scopeName: string;
  readonly asOf: string;
  readonly knownAt: string | null;
  readonly numerator: number;
  readonly denominator: number;
  readonly value: number | null;
  readonly targets: Readonly<Record<string, number>>;
  /** Per target year: value ≥ target now (null when there is no target or no value). */
  readonly meetsTarget: Readonly<Record<string, boolean | null>>;
}

export const scopeName = (scope: string, units: UnitNames, lang: Language): string => {
  if (scope === 'province') return lang === 'vi' ? 'Toàn tỉnh' : 'Province';
  const [kind, id = ''] = [scope.slice(0, scope.indexOf(':')), scope.slice(scope.indexOf(':') + 1)];
  if (kind === 'unit') return units.resolve(id)?.name ?? id;
  if (kind === 'kind') return unitKindLabels[id as UnitKind]?.[lang] ?? id;
  return lang === 'vi' ? `Địa bàn ${id}` : `Area ${id}`;
};

export const toReports = (
  rows: readonly FigureRow[],
  plan: Plan,
  units: UnitNames,
  lang: Language,
  knownAt: bigint | undefined,
): FigureReport[] =>
  rows.map((r) => {
    const targets: Record<string, number> = {};
    const meetsTarget: Record<string, boolean | null> = {};
    for (const year of TARGET_YEARS) {
      const t = targetFor(plan, r.indicator, year);
      if (t === undefined) continue;
      targets[String(year)] = t.target;
      meetsTarget[String(year)] = r.value === null ? null : r.value >= t.target;
    }
    return {
      indicator: r.indicator,
      title: indicatorOf(plan, r.indicator).title[lang],
      shortTitle: indicatorOf(plan, r.indicator).shortTitle[lang],
      scope: r.scope,
      scopeName: scopeName(r.scope, units, lang),
      asOf: r.asOf,
      knownAt: knownAt === undefined ? null : knownAt.toString(),
      numerator: r.numerator,
      denominator: r.denominator,
      value: r.value,
      targets,
      meetsTarget,
    };
  });

const status = (meets: boolean | null | undefined, lang: Language): string =>
  meets === undefined
    ? '—'
    : meets === null
      ? lang === 'vi'
        ? 'chưa có số liệu'
        : 'no data'
      : meets
        ? lang === 'vi'
          ? 'Đạt'
          : 'met'
        : lang === 'vi'
          ? 'Chưa đạt'
          : 'not met';

const percent = (v: number | null | undefined, lang: Language): string =>
  v === undefined
    ? '—'
    : lang === 'vi'
      ? percentVi(v)
      : v === null
        ? '—'
        : `${(v * 100).toFixed(1)} %`;

export const renderFigureTable = (reports: readonly FigureReport[], lang: Language): string => {
  const vi = lang === 'vi';
  const header = vi
    ? [
        'Chỉ tiêu',
        'Phạm vi',
        'Đạt/Tổng',
        'Tỷ lệ',
        'Mục tiêu 2025',
        'So với 2025',
        'Mục tiêu 2030',
        'So với 2030',
      ]
    : [
        'Indicator',
        'Scope',
        'Count/Total',
        'Value',
        'Target 2025',
        'vs 2025',
        'Target 2030',
        'vs 2030',
      ];
  const rows = reports.map((r) => [
    r.shortTitle,
    r.scopeName,
    `${r.numerator}/${r.denominator}`,
    percent(r.value, lang),
    percent(r.targets['2025'], lang),
    status(r.meetsTarget['2025'], lang),
    percent(r.targets['2030'], lang),
    status(r.meetsTarget['2030'], lang),
  ]);
  return renderTable(header, rows, new Set([2, 3, 4, 6]));
};

export const renderFigureCsv = (reports: readonly FigureReport[]): string =>
  renderCsv(
    [
      'indicator',
      'title',
      'scope',
      'scopeName',
      'asOf',
      'knownAt',
      'numerator',
      'denominator',
      'value',
      'target2025',
      'meets2025',
      'target2030',
      'meets2030',
    ],
    reports.map((r) => [
      r.indicator,
      r.title,
      r.scope,
      r.scopeName,
      r.asOf,
      r.knownAt,
      r.numerator,
      r.denominator,
      r.value,
      r.targets['2025'],
      r.meetsTarget['2025'],
      r.targets['2030'],
      r.meetsTarget['2030'],
    ]),
  );
