import path from 'node:path';
import { createIngestor, fileQuarantine } from '@nhagiao/ingest';
import { catchUpFromStore } from '@nhagiao/projector/embedded';
import type { Command } from '../command.js';
import { auditFiles } from './auditRuntime.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { usageError } from '../errors.js';
import { stderrLogger } from '../logger.js';
import {
  embeddedReadModel,
  openKeys,
  openReadModel,
  openStore,
  planOf,
  todayInVietnam,
} from '../runtime.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'chạy API HTTP và trang theo dõi / run the HTTP API and the dashboard',
  usage: 'serve [--host 127.0.0.1] [--port 8423]',
  options: {
    ...dataOptions,
    host: { type: 'string' },
    port: { type: 'string' },
    plan: { type: 'string' },
  },
  help: `Serves the API under /v1 (OpenAPI at /v1/openapi.json) and the plan dashboard
at /. Every request needs an API key (nhagiao keys create …). On the embedded
default the read model is brought up to date after every write, so a figure read
next sees it. Binds to 127.0.0.1 unless --host says otherwise. Runs until SIGINT
or SIGTERM.

  --host H            address to listen on (default 127.0.0.1)
  --port N            port (default 8423, or $NHAGIAO_PORT)
${dataOptionsHelp}`,
  async run(ctx) {
    // The HTTP server and the dashboard load only for this command.
    const [{ buildServer, logServingFromFiles }, { dashboardPlugin }] = await Promise.all([
      import('@nhagiao/api'),
      import('@nhagiao/dashboard'),
    ]);
    const host = typeof ctx.values.host === 'string' ? ctx.values.host : '127.0.0.1';
    const port = Number(ctx.values.port ?? ctx.env.NHAGIAO_PORT ?? 8423);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw usageError('--port: a whole number from 0 to 65535');
    const plan = planOf(ctx.values.plan);
    const config = dataConfig(ctx.values, ctx.env);
    const store = await openStore(config);
    const readModel = await openReadModel(config);
    const keys = openKeys(config);
    const quarantine = fileQuarantine(path.join(config.dataDir, 'quarantine.ndjson'));
    const logger = stderrLogger(ctx.stderr, 'serve');
    const catchUp = async (): Promise<void> => {
      if (embeddedReadModel(config))
        await catchUpFromStore({ store, readModel, indicators: plan.indicators });
    };
    await catchUp();
    const ingestor = createIngestor({ store, quarantine });
    const app = await buildServer({
      store,
      readModel,
      ingestor,
      quarantine,
      keys,
      plan,
      afterAppend: catchUp,
      log: logServingFromFiles(auditFiles(config)),
      today: todayInVietnam,
    });
    await app.register(dashboardPlugin, { keys, planId: plan.code });
    const address = await app.listen({ host, port });
    ctx.stderr.write(
      `nhagiao serve: ${address}  (dashboard /, API /v1, OpenAPI /v1/openapi.json)\n`,
    );
    logger.info('listening', { address });
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await app.close();
    ingestor.close();
    await readModel.close();
    await store.close();
    return 0;
  },
};
