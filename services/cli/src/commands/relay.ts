import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { natsOption, stderrLogger } from '../logger.js';
import { openStore } from '../runtime.js';

export const relayCommandLine: Command = {
  name: 'relay',
  summary: 'chuyển nhật ký sự kiện sang NATS JetStream / relay the event log to NATS JetStream',
  usage: 'relay [--nats URL] [--store sqlite:PATH|esdb://…]',
  options: { ...dataOptions, nats: { type: 'string' } },
  help: `Publishes every event of the store, in log order, to the JetStream stream
NHAGIAO_EVENTS (subject nhagiao.events.<stream kind>.<event type>, msgID = event
id), checkpointing after each ack. Only one relay publishes at a time (a lease in
JetStream KV); start a second one as a standby. Runs until SIGINT or SIGTERM.

  --nats URL          NATS server(s), comma-separated (default $NHAGIAO_NATS, else nats://127.0.0.1:4222)
${dataOptionsHelp}`,
  async run(ctx) {
    const { relayCommand } = await import('@nhagiao/relay');
    const config = dataConfig(ctx.values, ctx.env);
    const store = await openStore(config, { readOnly: true });
    try {
      await relayCommand({
        store,
        natsUrl: natsOption(ctx.values.nats, ctx.env),
        logger: stderrLogger(ctx.stderr, 'relay'),
        signal: ctx.signal,
      });
    } finally {
      await store.close();
    }
    return 0;
  },
};
