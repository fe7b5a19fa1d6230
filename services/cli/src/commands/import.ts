import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  type IngestReport,
  type ItemOutcome,
  createIngestor,
  fileQuarantine,
  ndjsonItems,
} from '@nhagiao/ingest';
import { catchUpFromStore } from '@nhagiao/projector/embedded';
import type { Command, CommandContext } from '../command.js';
import { type DataConfig, dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { CliError, usageError } from '../errors.js';
import { Progress, perSecond, seconds } from '../progress.js';
import { embeddedReadModel, openReadModel, openStore, planOf } from '../runtime.js';

const MAX_DUPLICATE_LINES = 20;

export interface ImportSummary {
  readonly reports: readonly IngestReport[];
  readonly rejected: number;
}

/** Imports NDJSON sources into the store, then brings the embedded read model up to date. */
export const importFiles = async (
  ctx: Pick<CommandContext, 'stdout' | 'stderr' | 'stdin' | 'signal'>,
  config: DataConfig,
  files: readonly string[],
  options: { partial?: boolean; quiet?: boolean; planCode?: unknown } = {},
): Promise<ImportSummary> => {
  for (const file of files) {
    if (file === '-') continue;
    if (!existsSync(file)) throw new CliError(`cannot read ${file}: no such file`);
    if (!statSync(file).isFile()) throw new CliError(`cannot read ${file}: not a file`);
  }
  const plan = planOf(options.planCode);
  const store = await openStore(config);
  const reports: IngestReport[] = [];
  let rejected = 0;
  const ingestor = createIngestor({
    store,
    quarantine: fileQuarantine(path.join(config.dataDir, 'quarantine.ndjson')),
  });
  try {
    for (const file of files) {
      const name = file === '-' ? 'stdin' : file;
      const progress = new Progress(ctx.stderr);
      let duplicatesShown = 0;
      const onOutcome = (o: ItemOutcome): void => {
        if (o.status === 'rejected') {
          if (o.issues.length === 0) ctx.stderr.write(`${name}:${o.line} ${o.message}\n`);
          for (const issue of o.issues) {
            ctx.stderr.write(`${name}:${o.line} ${issue.path || '(line)'}: ${issue.message}\n`);
          }
        } else if (
          o.status === 'duplicate' &&
          !options.quiet &&
          duplicatesShown++ < MAX_DUPLICATE_LINES
        ) {
          const where =
            o.position === undefined ? 'earlier in this file' : `position ${o.position}`;
          ctx.stderr.write(`${name}:${o.line} duplicate of event ${o.id} (${where}), skipped\n`);
        }
      };
      const input = file === '-' ? ctx.stdin : createReadStream(file);
      const report = await ingestor.ingest(ndjsonItems(input), {
        source: name,
        mode: options.partial ? 'partial' : 'all-or-nothing',
        keepOutcomes: false,
        onOutcome,
        onProgress: (p) => progress.update(`${name}: kiểm tra / validating`, p.done),
        signal: ctx.signal,
      });
      progress.done();
      reports.push(report);
      rejected += report.rejected;
      if (duplicatesShown > MAX_DUPLICATE_LINES) {
        ctx.stderr.write(
          `${name}: … and ${duplicatesShown - MAX_DUPLICATE_LINES} more duplicates\n`,
        );
      }
      const total = report.appended + report.duplicates + report.rejected;
      const verdict =
        report.rejected > 0 && !options.partial
          ? `REJECTED — nothing appended from this file (${report.rejected} line(s) rejected, kept in ${path.join(config.dataDir, 'quarantine.ndjson')})`
          : `${report.appended} appended, ${report.duplicates} duplicates, ${report.rejected} rejected`;
      ctx.stderr.write(
        `${name}: ${verdict}; ${total} lines in ${seconds(report.durationMs)} (${perSecond(total, report.durationMs)} events/s)\n`,
      );
    }
    if (!options.quiet)
      ctx.stderr.write(`store head: position ${(await store.head()) ?? 'none (empty)'}\n`);
  } finally {
    ingestor.close();
    await store.close();
  }
  if (embeddedReadModel(config) && reports.some((r) => r.appended > 0)) {
    const readModel = await openReadModel(config);
    const reader = await openStore(config, { readOnly: true });
    try {
      const progress = new Progress(ctx.stderr);
      const result = await catchUpFromStore({
        store: reader,
        readModel,
        indicators: plan.indicators,
        onProgress: (done) => progress.update('read model / mô hình đọc', done),
        signal: ctx.signal,
      });
      progress.done();
      if (!options.quiet) {
        ctx.stderr.write(
          `read model updated: ${result.applied} events projected in ${seconds(result.durationMs)}\n`,
        );
      }
    } finally {
      await reader.close();
      await readModel.close();
    }
  }
  return { reports, rejected };
};

export const importCommand: Command = {
  name: 'import',
  summary: 'nhập sự kiện từ tệp NDJSON / import NDJSON events (- for stdin)',
  usage: 'import FILE… [--partial]',
  options: { ...dataOptions, partial: { type: 'boolean' }, plan: { type: 'string' } },
  help: `Each line is one envelope (see docs/events.md). Every line is validated and
decided in order. By default a file is all or nothing: if any line is rejected,
nothing from that file is appended, every rejected line is reported as
FILE:LINE FIELD: REASON and kept in DIR/quarantine.ndjson, and the exit code is 2.
Events already stored (same id, same content) are reported and skipped.

  --partial           append the valid lines and quarantine the rest
${dataOptionsHelp}`,
  async run(ctx) {
    if (ctx.positionals.length === 0) throw usageError('name at least one FILE (or - for stdin)');
    const config = dataConfig(ctx.values, ctx.env);
    const { rejected } = await importFiles(ctx, config, ctx.positionals, {
      partial: ctx.values.partial === true,
      planCode: ctx.values.plan,
    });
    return rejected > 0 ? 2 : 0;
  },
};
