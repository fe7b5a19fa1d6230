import { indicatorOf } from '@nhagiao/domain';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { scopeName } from '../format/figures.js';
import { renderCsv, renderTable } from '../format/table.js';
import { formatOption, langOption, toJson } from '../options.js';
import { type EventStore, hasBatchReads } from '@nhagiao/eventstore/core';
import {
  openStore,
  planOf,
  readModelForQuery,
  scopeOption,
  todayInVietnam,
  unitNames,
} from '../runtime.js';
import { usageError } from '../errors.js';

/** Events that correct the past rather than record it: a change they make is a correction. */
const CORRECTIONS = new Set([
  'EventRetracted',
  'DegreeRevoked',
  'CertificateRevoked',
  'CourseCompletionRevoked',
  'EnrolmentWithdrawn',
  'ProgrammeTopicsCorrected',
]);

/** What a change of a figure is, beside an ordinary record: a correction, or a late record. */
export type ChangeNote = 'correction' | 'late-record' | null;

export interface ClassifiedRow {
  readonly validFrom: string;
  readonly eventType: string;
  /** The submission the event came in (an import, a POST): rows of one submission are one backfill. */
  readonly submission: string;
}

/**
 * Marks the changes of a figure, given in recording order. A correction is a
 * change made by a retraction, revocation, withdrawal or topic correction. A
 * late record is a change dated before a change that an earlier submission had
 * already recorded: it alters a past that was already known. A history
 * recorded in one submission, in any order (a first import's backfill), has no
 * late record.
 */
export const classifyChanges = (rows: readonly ClassifiedRow[]): ChangeNote[] => {
  let knownUpTo = ''; // the latest validFrom of the submissions before the current one
  let currentLatest = '';
  let current: string | undefined;
  return rows.map((r) => {
    if (r.submission !== current) {
      if (currentLatest > knownUpTo) knownUpTo = currentLatest;
      current = r.submission;
      currentLatest = '';
    }
    if (r.validFrom > currentLatest) currentLatest = r.validFrom;
    if (CORRECTIONS.has(r.eventType)) return 'correction';
    return r.validFrom < knownUpTo ? 'late-record' : null;
  });
};

/**
 * The type and submission of each event that moved the figure, from the
 * teachers' streams (and the programmes' topic corrections). The submission is
 * the `importedBy` metadata `nhagiao import` adds, else the time of recording.
 */
const eventsBehind = async (
  store: EventStore,
  teacherIds: readonly string[],
): Promise<Map<string, { type: string; submission: string }>> => {
  const found = new Map<string, { type: string; submission: string }>();
  const take = (e: {
    id: string;
    type: string;
    recordedAt: string;
    metadata: Readonly<Record<string, string>>;
  }) => found.set(e.id, { type: e.type, submission: e.metadata.importedBy ?? e.recordedAt });
  for (const teacherId of teacherIds) {
    for await (const e of store.readStream(`teacher-${teacherId}`)) take(e);
  }
  const types = ['ProgrammeTopicsCorrected'];
  if (hasBatchReads(store)) {
    for await (const page of store.readAllBatches({ types })) {
      for (const e of page) if (types.includes(e.type)) take(e);
    }
  } else {
    for await (const e of store.readAll()) if (types.includes(e.type)) take(e);
  }
  return found;
};

export const historyCommand: Command = {
  name: 'history',
  usage: 'history CODE [--scope S] [--format table|json|csv] [--lang vi|en]',
  options: {
    ...dataOptions,
    scope: { type: 'string' },
    format: { type: 'string' },
    lang: { type: 'string' },
    plan: { type: 'string' },
  },
  help: `Every change of the figure in recording order: the event that moved it and
its type, the date from which the change holds, when it was recorded, and by
how much the numerator and denominator moved. Marked: a correction (a
retraction, revocation, withdrawal or topic correction), and a late record (a
change dated before one an earlier import or request had already recorded). A
history recorded in one import, in any order, is not marked.

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
    const store = await openStore(config, { readOnly: true });
    try {
      const rows = await readModel.history({ indicators: plan.indicators, indicator: code, scope });
      const behind = await eventsBehind(store, [...new Set(rows.map((r) => r.teacherId))]);
      const typed = rows.map((r) => ({
        ...r,
        eventType: behind.get(r.eventId)?.type ?? 'unknown',
        submission: behind.get(r.eventId)?.submission ?? r.recordedAt ?? '',
      }));
      const notes = classifyChanges(typed);
      const changes = typed.map(({ submission: _submission, ...r }, i) => ({
        ...r,
        position: r.position.toString(),
        note: notes[i] ?? null,
        lateCorrection: notes[i] !== null,
      }));
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
              'eventType',
              'note',
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
              c.eventType,
              c.note ?? '',
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
                    'Loại sự kiện',
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
                    'Event type',
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
                c.eventType,
                c.eventId,
                c.note === 'correction'
                  ? vi
                    ? 'sửa chữa'
                    : 'correction'
                  : c.note === 'late-record'
                    ? vi
                      ? 'ghi nhận muộn'
                      : 'late record'
                    : '',
              ]),
              new Set([2, 3, 4]),
            ) +
            '\n',
        );
      }
      return 0;
    } finally {
      await store.close();
      await readModel.close();
    }
  },
};
