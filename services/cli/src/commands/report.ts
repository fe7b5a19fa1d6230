import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { arrayItems, createIngestor } from '@nhagiao/ingest';
import { catchUp as catchUpReadModel } from '@nhagiao/projector/embedded';
import {
  ReportError,
  computeAnnualReport,
  defaultAsOf,
  renderReportCsv,
  renderReportJson,
  renderReportXlsx,
  reportValuesAtHead,
} from '@nhagiao/reports';
import type { Command, CommandContext } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { CliError, usageError } from '../errors.js';
import { formatOption, toJson } from '../options.js';
import {
  dateOption,
  knownAtOption,
  openStore,
  planOf,
  readModelForQuery,
} from '../runtime.js';
import { auditFiles, openAuditLog, readSigningKey } from './audit-runtime.js';
import { existsSync } from 'node:fs';
import { SqliteAuditStore } from '@nhagiao/audit';

const UNIT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const unitAndYear = (ctx: CommandContext): { unitId: string; year: number; asOf: string } => {
  const unitId = ctx.values.unit;
  if (typeof unitId !== 'string' || !UNIT_ID.test(unitId)) throw usageError('--unit U: a unit id');
  const year = Number(ctx.values.year);
  if (!Number.isInteger(year) || year < 2000 || year > 2200)
    throw usageError('--year Y: a year such as 2025');
  return { unitId, year, asOf: dateOption(ctx.values['as-of'], '--as-of', defaultAsOf(year)) };
};

/** The latest saved checkpoint's note, to print in the report's metadata; null when there is none. */
const latestCheckpointNote = (file: string): string | null =>
  existsSync(file) ? (SqliteAuditStore.latestCheckpointIn(file)?.note ?? null) : null;

const annual = async (ctx: CommandContext): Promise<number> => {
  const { unitId, year, asOf } = unitAndYear(ctx);
  const out = typeof ctx.values.out === 'string' ? ctx.values.out : undefined;
  const inferred = out?.endsWith('.xlsx') ? 'xlsx' : out?.endsWith('.csv') ? 'csv' : 'json';
  const format = formatOption(ctx.values.format, ['xlsx', 'csv', 'json'] as const, inferred);
  if (format === 'xlsx' && out === undefined)
    throw usageError('--format xlsx writes a file: add --out FILE.xlsx');
  const plan = planOf(ctx.values.plan);
  const config = dataConfig(ctx.values, ctx.env);
  const readModel = await readModelForQuery(config, plan);
  const store = await openStore(config, { readOnly: true });
  try {
    const knownAt = await knownAtOption(ctx.values['known-at'], readModel);
    const checkpoint = latestCheckpointNote(auditFiles(config).audit);
    const report = await computeAnnualReport({
      plan,
      readModel,
      store,
      unitId,
      year,
      asOf,
      ...(knownAt === undefined ? {} : { knownAt }),
      generatedAt: new Date().toISOString(),
      ...(checkpoint === null ? {} : { checkpoint }),
    }).catch((e: unknown) => {
      throw e instanceof ReportError ? new CliError(e.message) : e;
    });
    const bytes =
      format === 'xlsx'
        ? await renderReportXlsx(report)
        : Buffer.from(format === 'csv' ? renderReportCsv(report) : renderReportJson(report));
    if (out === undefined) ctx.stdout.write(bytes);
    else {
      writeFileSync(out, bytes);
      ctx.stderr.write(
        `${format.toUpperCase()} report for ${unitId} ${year} (as of ${asOf}) written to ${out}\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
    await readModel.close();
  }
};

const submit = async (ctx: CommandContext): Promise<number> => {
  const { unitId, year, asOf } = unitAndYear(ctx);
  const plan = planOf(ctx.values.plan);
  const config = dataConfig(ctx.values, ctx.env);
  const { privateKey, origin } = readSigningKey(config);
  const readModel = await readModelForQuery(config, plan);
  // The writer lock is held from here to the append, so no event slips in between the figures and the report.
  const store = await openStore(config);
  const { log, audit } = openAuditLog(config, store);
  const catchUp = async (): Promise<void> => {
    await catchUpReadModel({ store, readModel, indicators: plan.indicators });
  };
  try {
    await catchUp();
    const before = await log.checkpoint(privateKey, {
      origin,
      now: new Date(),
      reason: 'report-submission',
    });
    const signedOffBy = ctx.values['signed-off-by'];
    const note = ctx.values.note;
    // A sign-off: the ingest computes the figures and sets the day, as for POST /v1/events.
    const envelope = {
      id: randomUUID(),
      type: 'AnnualReportSubmitted',
      data: {
        unitId,
        year,
        asOf,
        checkpoint: before.note,
        ...(typeof signedOffBy === 'string' ? { signedOffBy } : {}),
        ...(typeof note === 'string' ? { note } : {}),
      },
      metadata: { source: 'nhagiao report submit' },
    };
    const ingestor = createIngestor({ store });
    const result = await ingestor
      .ingest(arrayItems([envelope]), {
        source: 'report submit',
        mode: 'all-or-nothing',
        annualReports: reportValuesAtHead({ store, readModel, plan, catchUp }),
      })
      .finally(() => ingestor.close());
    const outcome = result.items[0];
    if (outcome?.status !== 'accepted') {
      const why =
        outcome?.status === 'rejected' ? outcome.message : (outcome?.status ?? 'no outcome');
      throw new CliError(`the report was not recorded: ${why}`, 2);
    }
    const recorded = await store.findEvent(outcome.stream, envelope.id);
    await catchUp();
    // A second checkpoint covers the report event itself, so it is signed for too.
    const after = await log.checkpoint(privateKey, {
      origin,
      now: new Date(),
      reason: 'report-submission',
    });
    ctx.stdout.write(
      `${toJson({
        eventId: envelope.id,
        position: outcome.position,
        stream: outcome.stream,
        data: recorded?.data,
        checkpointAfter: after.note,
      })}\n`,
    );
    ctx.stderr.write(
      `báo cáo năm ${year} của ${unitId} đã ghi nhận / annual report recorded at position ${outcome.position}; checkpoints #${before.id} (${before.size} events) and #${after.id} (${after.size})\n`,
    );
    return 0;
  } finally {
    audit.close();
    await store.close();
    await readModel.close();
  }
};

export const reportCommand: Command = {
  name: 'report',
  usage:
    'report annual --unit U --year Y [--as-of D] [--known-at T] [--format xlsx|csv|json] [--out FILE] | report submit --unit U --year Y [--as-of D] [--signed-off-by WHO] [--note TEXT]',
  options: {
    ...dataOptions,
    unit: { type: 'string' },
    year: { type: 'string' },
    'as-of': { type: 'string' },
    'known-at': { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    plan: { type: 'string' },
    'signed-off-by': { type: 'string' },
    note: { type: 'string' },
  },
  help: `  annual   the unit's report on its teachers' standard attainment: the six
           indicators with numerators, denominators and 2025/2030 targets; counts
           by highest degree, employment and level taught; the standard met or
           not (and the failing requirement) per teacher at college units;
           trainings by topic; postgraduate study in progress; funding by source.
  submit   signs a checkpoint of the log as it stands and records the unit's
           sign-off, AnnualReportSubmitted, through the same path as POST
           /v1/events: the write side computes its values from the log (what
           verify recomputes) and sets submittedOn to today; so the published
           figures are part of history; then signs a checkpoint that covers the
           report too. Needs the signing key (signing init).
           --signed-off-by WHO and --note TEXT are recorded with it.

  --as-of D        default 30 June of the year: the report is due 25 August and
                   covers the school year just ended, so every unit can close
                   its roll at 30 June before the deadline
  --known-at T     only what was recorded by then (position or ISO time)
  --format F       xlsx (needs --out), csv or json; default from --out's
                   extension, else json
Trainings and funding count from the plan's start (2024-01-01) to --as-of.
Funding: every TrainingFunded dated in that period for a programme that a
teacher of the unit (on --as-of) enrolled in or completed, in full (a
programme shared by several units shows in each of their reports).
${dataOptionsHelp}`,
  async run(ctx) {
    const [sub] = ctx.positionals;
    if (sub === 'annual') return annual(ctx);
    if (sub === 'submit') return submit(ctx);
    throw usageError('expected `report annual` or `report submit`');
  },
};
