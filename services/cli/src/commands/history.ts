import { indicatorOf } from '@nhagiao/domain';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { scopeName } from '../format/figures.js';
import { renderCsv, renderTable } from '../format/table.js';
import { formatOption, langOption, toJson } from '../options.js';
import { planOf, readModelForQuery, scopeOption, todayInVietnam, unitNames } from '../runtime.js';
import { usageError } from '../errors.js';

export const historyCommand: Command = {
  name: 'history',
  summary: 'số liệu thay đổi thế nào, do sự kiện nào / how a figure moved, event by event',
  usage: 'history CODE [--scope S] [--format table|json|csv] [--lang vi|en]',
  options: {
    ...dataOptions,
    scope: { type: 'string' },
    format: { type: 'string' },
    lang: { type: 'string' },
    plan: { type: 'string' },
  },
  help: `Every change of the figure in recording order: the event that moved it, the
date from which the change holds, when it was recorded, and by how much the
numerator and denominator moved. A change recorded after a later-dated one —
a late record or a correction of the past — is marked as such.

  --scope S           province (default), unit:<id>, area:<code> or kind:<kind>
${dataOptionsHelp}`,
  async run(ctx) {
    const [code] = ctx.positionals;
    if (code === undefined)
      throw usageError('name the indicator CODE, e.g. history master-or-above --scope province');
    const plan = planOf(ctx.values.plan);
    indicatorOf(plan, code);
    const scope = scopeOption(ctx.values.scope);
    const format = formatOption(ctx.values.format, ['table', 'json', 'csv'] as const, 'table');
    const lang = langOption(ctx.values.lang, ctx.env);
    const config = dataConfig(ctx.values, ctx.env);
    const readModel = await readModelForQuery(config, plan);
    try {
      const rows = await readModel.history({ indicators: plan.indicators, indicator: code, scope });
      let latest = '';
      const changes = rows.map((r) => {
        const late = r.validFrom < latest;
        if (r.validFrom > latest) latest = r.validFrom;
        return { ...r, position: r.position.toString(), lateCorrection: late };
      });
      if (format === 'json') ctx.stdout.write(`${toJson({ indicator: code, scope, changes })}\n`);
      else if (format === 'csv') {
        ctx.stdout.write(
          renderCsv(
            [
              'validFrom',
              'recordedAt',
              'position',
              'dNumerator',
              'dDenominator',
              'teacherId',
              'unitId',
              'eventId',
              'lateCorrection',
            ],
            changes.map((c) => [
              c.validFrom,
              c.recordedAt,
              c.position,
              c.dNumerator,
              c.dDenominator,
              c.teacherId,
              c.unitId,
              c.eventId,
              c.lateCorrection,
            ]),
          ),
        );
      } else {
        const vi = lang === 'vi';
        const units = await unitNames(readModel, todayInVietnam());
        const sign = (n: number) => (n > 0 ? `+${n}` : String(n));
        ctx.stdout.write(
          `${indicatorOf(plan, code).title[lang]} — ${scopeName(scope, units, lang)}: ${changes.length} ${vi ? 'thay đổi' : 'changes'}\n\n` +
            renderTable(
              vi
                ? [
                    'Hiệu lực từ',
                    'Ghi nhận lúc',
                    'Vị trí',
                    'Δ tử',
                    'Δ mẫu',
                    'Nhà giáo',
                    'Sự kiện',
                    'Ghi chú',
                  ]
                : [
                    'Valid from',
                    'Recorded at',
                    'Position',
                    'Δ num',
                    'Δ den',
                    'Teacher',
                    'Event',
                    'Note',
                  ],
              changes.map((c) => [
                c.validFrom,
                c.recordedAt ?? '',
                c.position,
                sign(c.dNumerator),
                sign(c.dDenominator),
                c.teacherId,
                c.eventId,
                c.lateCorrection
                  ? vi
                    ? 'ghi nhận muộn / sửa quá khứ'
                    : 'late record / correction'
                  : '',
              ]),
              new Set([2, 3, 4]),
            ) +
            '\n',
        );
      }
      return 0;
    } finally {
      await readModel.close();
    }
  },
};
