import { existsSync } from 'node:fs';
import type { Command } from '../command.js';
import { dataConfig } from '../config.js';
import { openStore } from '../runtime.js';
import {
  countOption,
  serviceConfig,
  serviceLogger,
  serviceOptions,
  serviceOptionsHelp,
} from '../service-options.js';

export const relayCommandLine: Command = {
  name: 'relay',
  usage: 'relay --nats URL [--store sqlite:PATH|esdb://…] [--listen HOST:PORT] [options]',
  options: {
    'data-dir': { type: 'string' },
    store: { type: 'string' },
    ...serviceOptions,
    'max-outstanding': { type: 'string' },
  },
  help: `Publishes every event of the store, in log order, to the JetStream stream
NHAGIAO_EVENTS (subject nhagiao.events.<stream kind>.<event type>, msgID = event
id), checkpointing after each ack. Only one relay publishes at a time (a lease in
JetStream KV); start a second one as a hot standby. A store that does not exist
yet is waited for. Runs until SIGINT or SIGTERM.

${serviceOptionsHelp}
  --max-outstanding N publish acks in flight (or $NHAGIAO_MAX_OUTSTANDING; default 1000)
  --store URL         sqlite:PATH (default DIR/events.sqlite) or esdb://HOST:PORT?tls=false
                      (or $NHAGIAO_STORE)
  --data-dir DIR      where the embedded store lives (default: $NHAGIAO_DATA_DIR, else ./.nhagiao)`,
  async run(ctx) {
    const { relayCommand } = await import('@nhagiao/relay');
    const config = dataConfig(ctx.values, ctx.env);
    const service = serviceConfig(ctx.values, ctx.env, ctx.stderr as { isTTY?: boolean });
    const maxOutstanding = countOption(
      ctx.values,
      ctx.env,
      'max-outstanding',
      'NHAGIAO_MAX_OUTSTANDING',
      1_000,
      [1, 100_000],
    );
    const logger = serviceLogger(ctx.stderr, 'relay', service.logFormat);
    if (config.store.kind === 'sqlite' && !existsSync(config.store.path)) {
      // A supervisor starts the relay before the first import: wait, do not exit.
      logger.info('relay waits for the event store to be created', { path: config.store.path });
      while (!existsSync(config.store.path) && !ctx.signal.aborted)
        await new Promise((r) => setTimeout(r, 500));
      if (ctx.signal.aborted) return 0;
    }
    const store = await openStore(config, { readOnly: true });
    try {
      await relayCommand({
        store,
        natsUrl: service.natsUrl,
        logger,
        signal: ctx.signal,
        ...(service.listen === undefined ? {} : { listen: service.listen }),
        readyLagEvents: service.readyLagEvents,
        tuning: { leaseTtlMs: service.leaseTtlMs, replicas: service.replicas, maxOutstanding },
      });
    } finally {
      await store.close();
    }
    return 0;
  },
};
