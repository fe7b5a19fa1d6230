import { rebuildReadModel } from '@nhagiao/projector/embedded';
import { pruneSqliteVersions } from '@nhagiao/readmodels/sqlite';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { natsOption, stderrLogger } from '../logger.js';
import { WORKERS_HELP, formatOption, workersOption, toJson } from '../options.js';
import { Progress, perSecond, seconds } from '../progress.js';
import { openReadModel, openStore, planOf } from '../runtime.js';

export const projectCommandLine: Command = {
  name: 'project',
  summary: 'chiếu sự kiện từ NATS vào mô hình đọc / project events from NATS into a read model',
  usage: 'project [--nats URL] [--readmodel postgres://…|sqlite:PATH] [--durable NAME]',
  options: {
    ...dataOptions,
    nats: { type: 'string' },
    durable: { type: 'string' },
    plan: { type: 'string' },
  },
  help: `A projection worker: a durable JetStream pull consumer that applies events in
log order to the indicator read model, committing each batch with its checkpoint
and acknowledging only after the commit. Start one per read model; restarts,
redeliveries and duplicates count nothing twice. Runs until SIGINT or SIGTERM.

  --nats URL          NATS server(s) (default $NHAGIAO_NATS, else nats://127.0.0.1:4222)
  --durable NAME      consumer name (default nhagiao-projector-<read model version>)
${dataOptionsHelp}`,
  async run(ctx) {
    // The JetStream pipeline (and its NATS client) loads only for the commands that use it.
    const { projectCommand } = await import('@nhagiao/projector');
    const plan = planOf(ctx.values.plan);
    const config = dataConfig(ctx.values, ctx.env);
    const readModel = await openReadModel(config);
    try {
      const result = await projectCommand({
        natsUrl: natsOption(ctx.values.nats, ctx.env),
        readModel,
        indicators: plan.indicators,
        logger: stderrLogger(ctx.stderr, 'project'),
        signal: ctx.signal,
        ...(typeof ctx.values.durable === 'string' ? { durableName: ctx.values.durable } : {}),
      });
      ctx.stderr.write(`project: stopped; ${toJson(result)}\n`);
    } finally {
      await readModel.close();
    }
    return 0;
  },
};

export const statusCommandLine: Command = {
  name: 'status',
  summary: 'trạng thái: vị trí, điểm kiểm, độ trễ / store head, checkpoints and lag',
  usage: 'status [--nats URL] [--format text|json]',
  options: { ...dataOptions, nats: { type: 'string' }, format: { type: 'string' } },
  help: `The store's head, the relay's checkpoint and the JetStream stream (with --nats),
each read model's checkpoint and how far it lags behind the store.
${dataOptionsHelp}`,
  async run(ctx) {
    const { formatStatus, statusCommand } = await import('@nhagiao/projector');
    const format = formatOption(ctx.values.format, ['text', 'json'] as const, 'text');
    const config = dataConfig(ctx.values, ctx.env);
    const store = await openStore(config, { readOnly: true });
    const readModel = await openReadModel(config);
    try {
      const nats = ctx.values.nats ?? ctx.env.NHAGIAO_NATS;
      const status = await statusCommand({
        store,
        readModel,
        ...(typeof nats === 'string' ? { natsUrl: nats } : {}),
      });
      ctx.stdout.write(
        format === 'json' ? `${toJson(status)}\n` : `${formatStatus(status).join('\n')}\n`,
      );
    } finally {
      await readModel.close();
      await store.close();
    }
    return 0;
  },
};

export const rebuildCommandLine: Command = {
  name: 'rebuild',
  summary: 'dựng lại mô hình đọc từ nhật ký / rebuild the read model from the log (blue-green)',
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
      const result = await rebuildReadModel({
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
