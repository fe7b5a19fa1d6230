import { createWriteStream, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import type { Language, Plan } from '@nhagiao/domain';
import type { ReadModelQueries } from '@nhagiao/readmodels';
import type { Command, CommandContext } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { usageError } from '../errors.js';
import { renderFigureTable, toReports } from '../format/figures.js';
import { displayDate, percentIn, renderTable } from '../format/table.js';
import { langOption } from '../options.js';
import { planOf, readModelForQuery, todayInVietnam, unitNames } from '../runtime.js';
import { importFiles } from './import.js';

/** Writes the generated dataset as NDJSON, streaming. */
const writeDataset = async (file: string, teachers: number, seed: number): Promise<number> => {
  mkdirSync(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  let count = 0;
  for (const envelope of generateDataset({ teachers, seed })) {
    count += 1;
    if (!out.write(`${JSON.stringify(envelope)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return count;
};

const byUnitMatrix = async (
  readModel: ReadModelQueries,
  plan: Plan,
  asOf: string,
  lang: Language,
): Promise<string> => {
  const rows = await readModel.figures({ indicators: plan.indicators, asOf, by: 'unit' });
  const units = await unitNames(readModel, asOf);
  const scopes = [...new Set(rows.map((r) => r.scope))].filter((s) =>
    rows.some((r) => r.scope === s && r.denominator > 0),
  );
  const header = [
    lang === 'vi' ? 'Đơn vị' : 'Unit',
    ...plan.indicators.map((_, i) => `CT${i + 1}`),
  ];
  const body = scopes.map((scope) => [
    units.resolve(scope.slice('unit:'.length))?.name ?? scope,
    ...plan.indicators.map((ind) => {
      const r = rows.find((x) => x.scope === scope && x.indicator === ind.code);
      return r === undefined || r.value === null
        ? '—'
        : `${percentIn(lang, r.value, 0)} (${r.numerator}/${r.denominator})`;
    }),
  ]);
  const legend = plan.indicators.map((ind, i) => `  CT${i + 1} = ${ind.title[lang]}`).join('\n');
  return `${renderTable(header, body, new Set(plan.indicators.map((_, i) => i + 1)))}\n${legend}`;
};

export const printDashboard = async (
  ctx: Pick<CommandContext, 'stdout'>,
  readModel: ReadModelQueries,
  plan: Plan,
  lang: Language,
): Promise<void> => {
  const today = todayInVietnam();
  const vi = lang === 'vi';
  const out: string[] = [];
  out.push(`${plan.title[lang]}`);
  out.push(
    `${plan.legalSource.documentNumber} (${plan.legalSource.date}), ${plan.legalSource.issuer}; ${vi ? 'thực hiện' : 'implements'} ${plan.legalSource.implements}`,
  );
  for (const [asOf, title] of [
    [
      '2025-12-31',
      vi
        ? 'Mốc đánh giá mục tiêu 2025 (31/12/2025), toàn tỉnh'
        : '2025 target date (31 Dec 2025), province',
    ],
    [today, vi ? `Hôm nay (${displayDate(today, lang)}), toàn tỉnh` : `Today (${today}), province`],
  ] as const) {
    const rows = await readModel.figures({ indicators: plan.indicators, asOf, by: 'province' });
    const reports = toReports(rows, plan, await unitNames(readModel, asOf), lang, undefined);
    out.push('', `== ${title} ==`, renderFigureTable(reports, lang));
  }
  out.push(
    '',
    `== ${vi ? `Theo đơn vị, hôm nay (${displayDate(today, lang)})` : `By unit, today (${today})`} ==`,
    await byUnitMatrix(readModel, plan, today, lang),
  );
  ctx.stdout.write(`${out.join('\n')}\n`);
};

export const demoCommand: Command = {
  name: 'demo',
  usage: 'demo [--teachers N] [--seed N] [--lang vi|en]',
  options: {
    ...dataOptions,
    teachers: { type: 'string' },
    seed: { type: 'string' },
    lang: { type: 'string' },
  },
  help: `Generates a realistic synthetic dataset for Bắc Kạn (the college, the district
GDNN-GDTX centres, private units; teacher histories 2005–2026; the 2025
reorganisation), writes it to DIR/demo/bac-kan-demo.ndjson, imports it and
prints the plan dashboard. Running it again finds every event already stored.

  --teachers N        how many teachers (default 320)
  --seed N            another seed gives another province (default 423)
${dataOptionsHelp}`,
  async run(ctx) {
    const teachers = Number(ctx.values.teachers ?? 320);
    const seed = Number(ctx.values.seed ?? 423);
    if (!Number.isInteger(teachers) || teachers < 1 || teachers > 1_000_000)
      throw usageError('--teachers: a whole number from 1 to 1000000');
    if (!Number.isInteger(seed)) throw usageError('--seed: a whole number');
    const lang = langOption(ctx.values.lang, ctx.env);
    const config = dataConfig(ctx.values, ctx.env);
    const plan = planOf(undefined);
    const file = path.join(
      config.dataDir,
      'demo',
      `bac-kan-demo${seed === 423 ? '' : `-${seed}`}.ndjson`,
    );
    const count = await writeDataset(file, teachers, seed);
    ctx.stderr.write(`demo: ${count} events for ${teachers} teachers written to ${file}\n`);
    const { rejected } = await importFiles(ctx, config, [file], { quiet: true });
    if (rejected > 0) return 2;
    const readModel = await readModelForQuery(config, plan);
    try {
      await printDashboard(ctx, readModel, plan, lang);
    } finally {
      await readModel.close();
    }
    const dir = ctx.values['data-dir'] ? ` --data-dir ${String(ctx.values['data-dir'])}` : '';
    ctx.stdout.write(
      [
        '',
        lang === 'vi' ? 'Tiếp theo / next:' : 'Next:',
        `  pnpm -s nhagiao explain master-or-above --as-of 2025-12-31 --scope unit:cdbk${dir}`,
        `  pnpm -s nhagiao history trained-digital-transformation --scope province${dir}`,
        `  pnpm -s nhagiao indicators --as-of 2025-12-31 --by area --format json${dir}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
