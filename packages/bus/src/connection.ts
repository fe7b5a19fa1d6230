import { type NatsConnection, connect } from 'nats';
import type { Logger } from './logger.js';

/**
 * Connects to one or several comma-separated servers. A service reconnects for
 * ever (and notices a dead server within ~4 s, trying the next one after 2 s
 * without an answer); a one-shot look (`reconnect: false`) fails instead.
 */
export const connectNats = (
  url: string,
  name: string,
  options: { readonly reconnect?: boolean } = {},
): Promise<NatsConnection> =>
  connect({
    servers: url
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    name,
    ...(options.reconnect === false
      ? { reconnect: false }
      : { maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 2_000, maxPingOut: 2 }),
    // A server that accepts the socket and says nothing (a stopped process: the
    // kernel still accepts) is given up after 2 s for the next one, not 20 s.
    timeout: 2_000,
  });

export type ConnectionState = 'connected' | 'disconnected';

/**
 * Logs each change of the connection's state once (a disconnect, then the
 * reconnect, with the server), not every reconnect attempt, and tells
 * `onState`. Ends when the connection closes.
 */
export const watchConnection = (
  nc: NatsConnection,
  logger: Logger,
  onState: (state: ConnectionState) => void = () => undefined,
): Promise<void> =>
  (async () => {
    let state: ConnectionState = 'connected';
    onState(state);
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' && state === 'connected') {
        state = 'disconnected';
        onState(state);
        logger.warn('NATS connection lost: reconnecting', { server: String(s.data) });
      } else if (s.type === 'reconnect' && state === 'disconnected') {
        state = 'connected';
        onState(state);
        logger.info('NATS connection restored', { server: String(s.data) });
      }
    }
  })().catch(() => undefined);
