import { indicatorOf } from '@nhagiao/domain';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { renderFigureCsv, renderFigureTable, toReports } from '../format/figures.js';
import { displayDate } from '../format/table.js';
import { choiceOption, formatOption, langOption, toJson } from '../options.js';
import {
  dateOption,
  knownAtOption,
  planOf,
  readModelForQuery,
  todayInVietnam,
  unitNames,
} from '../runtime.js';

export const indicatorsCommand: Command = {
  name: 'indicators',
  usage:
    'indicators [--as-of YYYY-MM-DD] [--known-at TIME|POSITION] [--by province|unit|area|kind] [--indicator CODE] [--format table|json|csv] [--lang vi|en]',
  options: {
    ...dataOptions,
    'as-of': { type: 'string' },
    'known-at': { type: 'string' },
    by: { type: 'string' },
    indicator: { type: 'string' },
    format: { type: 'string' },
    lang: { type: 'string' },
    plan: { type: 'string' },
  },
  help: `  --as-of D           valid date (default: today in Vietnam)
  --known-at T        only what was recorded by then: an ISO time or a store position
  --by S              province (default), unit, area or kind
  --indicator CODE    one indicator only
  --format F          table (default), json or csv
  --lang L            vi (default) or en
${dataOptionsHelp}`,
  async run(ctx) {
    const plan = planOf(ctx.values.plan);
    const asOf = dateOption(ctx.values['as-of'], '--as-of', todayInVietnam);
    const by = choiceOption(
      ctx.values.by,
      '--by',
      ['province', 'unit', 'area', 'kind'] as const,
      'province',
    );
    const format = formatOption(ctx.values.format, ['table', 'json', 'csv'] as const, 'table');
    const lang = langOption(ctx.values.lang, ctx.env);
    const indicator = ctx.values.indicator;
    if (typeof indicator === 'string') indicatorOf(plan, indicator);
    const config = dataConfig(ctx.values, ctx.env);
    const readModel = await readModelForQuery(config, plan);
    try {
      const knownAt = await knownAtOption(ctx.values['known-at'], readModel);
      const rows = await readModel.figures({
        indicators: plan.indicators,
        asOf,
        by,
        ...(knownAt === undefined ? {} : { knownAt }),
        ...(typeof indicator === 'string' ? { indicator } : {}),
      });
      const reports = toReports(
        rows,
        plan,
        await unitNames(readModel, asOf, knownAt),
        lang,
        knownAt,
      );
      if (format === 'json') ctx.stdout.write(`${toJson(reports)}\n`);
      else if (format === 'csv') ctx.stdout.write(renderFigureCsv(reports));
      else {
        const known =
          knownAt === undefined
            ? ''
            : lang === 'vi'
              ? `, theo dữ liệu ghi nhận đến vị trí ${knownAt}`
              : `, as known at position ${knownAt}`;
        ctx.stdout.write(
          `${plan.title[lang]}\n${lang === 'vi' ? 'Số liệu tại ngày' : 'Figures as of'} ${displayDate(asOf, lang)}${known}\n\n${renderFigureTable(reports, lang)}\n`,
        );
      }
      return 0;
    } finally {
      await readModel.close();
    }
  },
};
