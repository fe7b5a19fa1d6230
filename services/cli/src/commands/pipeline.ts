import { rebuild } from '@nhagiao/projector/embedded';
import { pruneSqliteVersions } from '@nhagiao/readmodels/sqlite';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { describeUnfinished, importJournal } from '../import-journal.js';
import { WORKERS_HELP, formatOption, workersOption, toJson } from '../options.js';
import { Progress, perSecond, seconds } from '../progress.js';
import { openReadModel, openStore, planOf } from '../runtime.js';
import {
  countOption,
  durationOption,
  serviceConfig,
  serviceLogger,
  serviceOptions,
  serviceOptionsHelp,
  stringOption,
} from '../service-options.js';

export const projectCommandLine: Command = {
  name: 'project',
  usage:
    'project --nats URL --readmodel postgres://…|sqlite:PATH [--durable NAME] [--listen HOST:PORT] [options]',
  options: {
    'data-dir': { type: 'string' },
    readmodel: { type: 'string' },
    plan: { type: 'string' },
    durable: { type: 'string' },
    ...serviceOptions,
    'ack-wait': { type: 'string' },
    'batch-size': { type: 'string' },
    'fetch-size': { type: 'string' },
  },
  help: `A projection worker: applies the events of the JetStream stream, in log order,
to the indicator read model, committing each batch with its checkpoint. Run two
or more per read model: one holds the read model's lease (JetStream KV) and
projects, the others stand by and take over within the lease's ttl of its
death. The read model accepts a batch only if it continues exactly from its
checkpoint, so whatever runs — replicas, a paused process that resumes, a
projector with another --durable — nothing is counted twice or skipped.
Runs until SIGINT or SIGTERM.

${serviceOptionsHelp}
  --readmodel URL     sqlite:PATH (default DIR/readmodel.sqlite) or postgres://USER@HOST/DB
                      (or $NHAGIAO_READMODEL); create the PostgreSQL database first
  --data-dir DIR      where the embedded read model lives (default: $NHAGIAO_DATA_DIR, else ./.nhagiao)
  --durable NAME      JetStream consumer the lease holder reads through (or $NHAGIAO_DURABLE;
                      default nhagiao-projector-<read model version>); keep it the same
                      on every replica of one read model
  --ack-wait DUR      redelivery of a message not acked by then (or $NHAGIAO_ACK_WAIT; default 10s)
  --batch-size N      most events per read-model transaction (or $NHAGIAO_BATCH_SIZE; default 2000)
  --fetch-size N      messages asked for in one pull (or $NHAGIAO_FETCH_SIZE; default: the batch size)
  --plan ID           the plan whose indicators are projected (default bac-kan-423-2024)`,
  async run(ctx) {
    // The JetStream pipeline (and its NATS client) loads only for the commands that use it.
    const { projectCommand } = await import('@nhagiao/projector');
    const plan = planOf(ctx.values.plan);
    const config = dataConfig(ctx.values, ctx.env);
    const service = serviceConfig(ctx.values, ctx.env, ctx.stderr as { isTTY?: boolean });
    const batchSize = countOption(
      ctx.values,
      ctx.env,
      'batch-size',
      'NHAGIAO_BATCH_SIZE',
      2_000,
      [1, 100_000],
    );
    const tuning = {
      leaseTtlMs: service.leaseTtlMs,
      replicas: service.replicas,
      batchSize,
      fetchSize: countOption(
        ctx.values,
        ctx.env,
        'fetch-size',
        'NHAGIAO_FETCH_SIZE',
        batchSize,
        [1, 100_000],
      ),
      ackWaitMs: durationOption(ctx.values, ctx.env, 'ack-wait', 'NHAGIAO_ACK_WAIT', 10_000),
    };
    const durable = stringOption(ctx.values, ctx.env, 'durable', 'NHAGIAO_DURABLE');
    const logger = serviceLogger(ctx.stderr, 'project', service.logFormat);
    const readModel = await openReadModel(config);
    try {
      const result = await projectCommand({
        natsUrl: service.natsUrl,
        readModel,
        indicators: plan.indicators,
        logger,
        signal: ctx.signal,
        ...(service.listen === undefined ? {} : { listen: service.listen }),
        readyLagEvents: service.readyLagEvents,
        ...(durable === undefined ? {} : { durableName: durable }),
        tuning,
      });
      logger.info('project stopped', { received: result.received, checkpoint: result.checkpoint });
    } finally {
      await readModel.close();
    }
    return 0;
  },
};

export const statusCommandLine: Command = {
  name: 'status',
  usage: 'status [--nats URL] [--max-lag N] [--format text|json] [--plan ID]',
  options: {
    ...dataOptions,
    plan: { type: 'string' },
    nats: { type: 'string' },
    format: { type: 'string' },
    'max-lag': { type: 'string' },
  },
  help: `The store's head, each read model's checkpoint and lag behind the store, and a
check of its ledger (no row written twice, none past the checkpoint, and as
many rows as the store's events up to the checkpoint make: the log is replayed
in memory, about as long as the embedded catch-up without its writes); with
NATS, also the relay's checkpoint and lag, who holds the relay's and each read
model's lease, the events stream and its consumers. Exits 1 when a lag passes
--max-lag, a check fails or (with NATS) nobody holds a lease: for cron and
alerting.

  --nats URL          NATS server(s), comma-separated (or $NHAGIAO_NATS_URL); without
                      it only the store and the read model are looked at
  --max-lag N         most positions behind the store's head (events on the SQLite store)
                      that still count as healthy (or $NHAGIAO_MAX_LAG; default 1000)
  --format F          text (default) or json
  --plan ID           the plan whose indicators the read model holds (default bac-kan-423-2024)
${dataOptionsHelp}`,
  async run(ctx) {
    const { formatStatus, statusCommand, statusProblems } = await import('@nhagiao/projector');
    const plan = planOf(ctx.values.plan);
    const format = formatOption(ctx.values.format, ['text', 'json'] as const, 'text');
    const maxLag = BigInt(
      countOption(ctx.values, ctx.env, 'max-lag', 'NHAGIAO_MAX_LAG', 1_000, [0, 1e15]),
    );
    const config = dataConfig(ctx.values, ctx.env);
    const store = await openStore(config, { readOnly: true });
    const readModel = await openReadModel(config);
    try {
      const nats =
        stringOption(ctx.values, ctx.env, 'nats', 'NHAGIAO_NATS_URL') ??
        stringOption(ctx.values, ctx.env, 'nats', 'NHAGIAO_NATS');
      const status = await statusCommand({
        store,
        readModel,
        indicators: plan.indicators,
        ...(nats === undefined ? {} : { natsUrl: nats }),
      });
      const problems = statusProblems(status, { maxLag });
      // An import a crash left unfinished is shown; the store itself is consistent, so it is not a problem.
      const unfinished = importJournal(config).read();
      const importLine =
        unfinished === undefined
          ? []
          : [
              `${describeUnfinished(unfinished)}: run \`nhagiao import ${unfinished.file}\` again to finish it, or \`nhagiao import --abandon-import\``,
            ];
      ctx.stdout.write(
        format === 'json'
          ? `${toJson({ ...status, ...(unfinished === undefined ? {} : { unfinishedImport: unfinished }), healthy: problems.length === 0, problems })}\n`
          : `${[...formatStatus(status), ...importLine, problems.length === 0 ? 'healthy' : `UNHEALTHY: ${problems.join('; ')}`].join('\n')}\n`,
      );
      return problems.length === 0 ? 0 : 1;
    } finally {
      await readModel.close();
      await store.close();
    }
  },
};

export const rebuildCommandLine: Command = {
  name: 'rebuild',
  usage: 'rebuild [--workers N]',
  options: { ...dataOptions, plan: { type: 'string' }, workers: { type: 'string' } },
  help: `Replays the whole event store into a new read-model version beside the live one,
then switches to it; readers of the old version are not stopped. Prints the
digest of the new version: the same log always gives the same digest.
The embedded read model keeps the new version and the one it replaced; the
files of older versions are removed (a process still reading one keeps what
it has open). A PostgreSQL version's schema is dropped by hand.
${WORKERS_HELP}
${dataOptionsHelp}`,
  async run(ctx) {
    const plan = planOf(ctx.values.plan);
    const parallel = workersOption(ctx.values.workers);
    const config = dataConfig(ctx.values, ctx.env);
    const store = await openStore(config, { readOnly: true });
    try {
      const progress = new Progress(ctx.stderr);
      const result = await rebuild({
        parallel,
        store,
        readModelFactory: (version) => openReadModel(config, version),
        indicators: plan.indicators,
        onProgress: (done) => progress.update('rebuild', done),
        signal: ctx.signal,
      });
      progress.done();
      const readModel = await openReadModel(config);
      try {
        ctx.stdout.write(
          `rebuilt ${result.version} (was ${result.previous}): ${result.applied} events in ${seconds(result.durationMs)} (${perSecond(result.applied, result.durationMs)} events/s)\ndigest ${await readModel.digest()}\n`,
        );
      } finally {
        await readModel.close();
      }
      if (config.readModel.kind === 'sqlite') {
        const removed = pruneSqliteVersions(config.readModel.path, [
          result.version,
          result.previous,
        ]);
        if (removed.length > 0) {
          const mb = removed.reduce((sum, v) => sum + v.bytes, 0) / 1e6;
          ctx.stdout.write(
            `removed older versions ${removed.map((v) => v.version).join(', ')} (${mb.toFixed(0)} MB)\n`,
          );
        }
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};
