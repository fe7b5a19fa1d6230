import { indicatorOf } from '@nhagiao/domain';
import { explainTeacher } from '@nhagiao/domain';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { scopeName } from '../format/figures.js';
import { displayDate, percentIn } from '../format/table.js';
import { formatOption, langOption, toJson } from '../options.js';
import {
  dateOption,
  knownAtOption,
  openStore,
  planOf,
  readModelForQuery,
  scopeOption,
  unitNames,
} from '../runtime.js';
import { teacherView, topicsFromStore } from '../teachers.js';
import { usageError } from '../errors.js';

export const explainCommand: Command = {
  name: 'explain',
  usage:
    'explain CODE --as-of YYYY-MM-DD [--scope S] [--known-at T] [--format table|json] [--lang vi|en]',
  options: {
    ...dataOptions,
    'as-of': { type: 'string' },
    scope: { type: 'string' },
    'known-at': { type: 'string' },
    format: { type: 'string' },
    lang: { type: 'string' },
    plan: { type: 'string' },
  },
  help: `Lists the teachers in the figure's denominator, which of them are in the
numerator, and for each the facts and the event ids that decide it (for
college-lecturers-qualified: which requirement of the standard failed).

  --scope S           province (default), unit:<id>, area:<code> or kind:<kind>
${dataOptionsHelp}`,
  async run(ctx) {
    const [code] = ctx.positionals;
    if (code === undefined)
      throw usageError('name the indicator CODE, e.g. explain master-or-above --as-of 2025-12-31');
    const plan = planOf(ctx.values.plan);
    const indicator = indicatorOf(plan, code);
    const asOf = dateOption(ctx.values['as-of'], '--as-of');
    const scope = scopeOption(ctx.values.scope);
    const format = formatOption(ctx.values.format, ['table', 'json'] as const, 'table');
    const lang = langOption(ctx.values.lang, ctx.env);
    const config = dataConfig(ctx.values, ctx.env);
    const readModel = await readModelForQuery(config, plan);
    const store = await openStore(config, { readOnly: true });
    try {
      const knownAt = await knownAtOption(ctx.values['known-at'], readModel);
      const query = {
        indicators: plan.indicators,
        indicator: code,
        scope,
        asOf,
        ...(knownAt === undefined ? {} : { knownAt }),
      };
      const contributions = await readModel.teachersBehind(query);
      const units = await unitNames(readModel, asOf, knownAt);
      const topics = topicsFromStore(store, knownAt);
      const teachers = [];
      for (const c of contributions.filter((t) => t.denominator > 0 || t.numerator > 0)) {
        const view = await teacherView(store, c.teacherId, knownAt);
        for (const completion of view.facts.completions) await topics.load(completion.programmeId);
        const why = explainTeacher(view.facts, asOf, indicator, topics.lookup);
        teachers.push({
          teacherId: c.teacherId,
          fullName: view.fullName ?? null,
          unitId: why.unitId ?? null,
          unitName:
            why.unitId === undefined ? null : (units.resolve(why.unitId)?.name ?? why.unitId),
          numerator: c.numerator,
          denominator: c.denominator,
          reasons: why.reasons,
          eventIds: why.eventIds,
        });
      }
      const numerator = teachers.reduce((s, t) => s + t.numerator, 0);
      const denominator = teachers.reduce((s, t) => s + t.denominator, 0);
      const result = {
        indicator: code,
        title: indicator.title[lang],
        scope,
        scopeName: scopeName(scope, units, lang),
        asOf,
        knownAt: knownAt?.toString() ?? null,
        numerator,
        denominator,
        value: denominator === 0 ? null : numerator / denominator,
        teachers,
      };
      if (format === 'json') {
        ctx.stdout.write(`${toJson(result)}\n`);
        return 0;
      }
      const vi = lang === 'vi';
      const head = `${result.title}\n${result.scopeName}, ${vi ? 'tại ngày' : 'as of'} ${displayDate(asOf, lang)}: ${numerator}/${denominator} = ${percentIn(lang, result.value)}\n\n`;
      // One block per teacher: the reasons are sentences, too long for a table column.
      const blocks = teachers
        .sort((a, b) => b.numerator - a.numerator || a.teacherId.localeCompare(b.teacherId))
        .map((t) =>
          [
            `${t.teacherId}  ${t.fullName ?? ''} — ${t.unitName ?? ''} — ${
              t.numerator > 0 ? (vi ? 'ĐƯỢC TÍNH' : 'COUNTED') : vi ? 'KHÔNG TÍNH' : 'NOT COUNTED'
            }`,
            ...t.reasons.map((r) => `  • ${vi ? r.split(' / ')[0] : (r.split(' / ')[1] ?? r)}`),
            `  ${vi ? 'sự kiện' : 'events'}: ${t.eventIds.join(' ')}`,
          ].join('\n'),
        );
      const table = blocks.join('\n\n');
      ctx.stdout.write(`${head}${table}\n`);
      return 0;
    } finally {
      await store.close();
      await readModel.close();
    }
  },
};
