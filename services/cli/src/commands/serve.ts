import path from 'node:path';
import { createIngestor } from '@nhagiao/ingest';
import { catchUp as catchUpReadModel } from '@nhagiao/projector/embedded';
import type { Command } from '../command.js';
import { auditFiles } from './audit-runtime.js';
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

/** The API's logger (pino's shape: fields first) on the CLI's stderr lines; an error is written whole. */
const apiLogger = (logger: ReturnType<typeof stderrLogger>) => {
  const fields = (obj: object): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(obj).map(([k, v]) => [
        k,
        v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v,
      ]),
    );
  return {
    info: (obj: object, msg?: string) => logger.info(msg ?? 'info', fields(obj)),
    warn: (obj: object, msg?: string) => logger.warn(msg ?? 'warning', fields(obj)),
    error: (obj: object, msg?: string) => logger.error(msg ?? 'error', fields(obj)),
  };
};

export const serveCommand: Command = {
  name: 'serve',
  usage: 'serve [--host 127.0.0.1] [--port 8423] [--secure-cookie] [--trust-proxy]',
  options: {
    ...dataOptions,
    host: { type: 'string' },
    port: { type: 'string' },
    plan: { type: 'string' },
    'secure-cookie': { type: 'boolean' },
    'trust-proxy': { type: 'boolean' },
  },
  help: `Serves the API under /v1 (OpenAPI at /v1/openapi.json) and the plan dashboard
at /. Every request needs an API key (nhagiao keys create …). On the embedded
default the read model is brought up to date after every write, so a figure read
next sees it. Binds to 127.0.0.1 unless --host says otherwise. Runs until SIGINT
or SIGTERM.

  --host H            address to listen on (default 127.0.0.1)
  --port N            port (default 8423, or $NHAGIAO_PORT)
  --secure-cookie     mark the dashboard's session cookie Secure (serve it over HTTPS)
  --trust-proxy       behind a TLS-terminating reverse proxy that sets X-Forwarded-For
                      and X-Forwarded-Proto: take the client's address from them (for
                      rate limits) and mark the cookie Secure when the proxy says https.
                      Never without such a proxy: a client could then claim any address.

A failed request is logged on stderr with its request id (the x-request-id
header of the answer).
${dataOptionsHelp}`,
  async run(ctx) {
    // The HTTP server and the dashboard load only for this command.
    const [{ buildServer, logServingFromFiles, openSqliteQuarantine }, { dashboardPlugin }] =
      await Promise.all([import('@nhagiao/api'), import('@nhagiao/dashboard')]);
    const host = typeof ctx.values.host === 'string' ? ctx.values.host : '127.0.0.1';
    const port = Number(ctx.values.port ?? ctx.env.NHAGIAO_PORT ?? 8423);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw usageError('--port: a whole number from 0 to 65535');
    const plan = planOf(ctx.values.plan);
    const config = dataConfig(ctx.values, ctx.env);
    const store = await openStore(config);
    const readModel = await openReadModel(config);
    const keys = openKeys(config);
    // What the API refuses is kept per key, bounded, and read a page at a time.
    const quarantine = openSqliteQuarantine(path.join(config.dataDir, 'quarantine.sqlite'));
    const logger = stderrLogger(ctx.stderr, 'serve');
    const catchUp = async (): Promise<void> => {
      if (embeddedReadModel(config))
        await catchUpReadModel({ store, readModel, indicators: plan.indicators });
    };
    await catchUp();
    const ingestor = createIngestor({ store, quarantine });
    const trustProxy = ctx.values['trust-proxy'] === true;
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
      logger: apiLogger(logger),
      trustProxy,
    });
    await app.register(dashboardPlugin, {
      keys,
      planId: plan.code,
      secureCookie: ctx.values['secure-cookie'] === true ? true : trustProxy ? 'auto' : false,
    });
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
    quarantine.close();
    await readModel.close();
    await store.close();
    return 0;
  },
};
