import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What `/readyz` answers: ready or not, and why, as JSON. */
export interface Readiness {
  readonly ready: boolean;
  readonly detail: Record<string, unknown>;
}

/**
 * The metrics of the pipeline's roles, in one registry per process (with the
 * process's own: CPU, memory, event-loop lag). Names follow Prometheus'
 * conventions; `role` is `relay` or `projector`.
 */
export class PipelineMetrics {
  readonly registry = new Registry();
  /** Events the relay saw acknowledged by JetStream. */
  readonly relayed: Counter;
  /** Events the projector committed to its read model. */
  readonly projected: Counter;
  /** Events behind: store head − relay's acked position, or messages not yet committed by the projector. */
  readonly lagEvents: Gauge;
  /** Seconds behind: how long ago the oldest event not yet handled was recorded (0 when caught up). */
  readonly lagSeconds: Gauge;
  /** Position of the last event handled (relay: acked; projector: committed). */
  readonly position: Gauge;
  readonly batchSeconds: Histogram;
  /** Batches the read model refused (another writer moved its checkpoint). */
  readonly refusals: Counter;
  /** Messages JetStream delivered again. */
  readonly redeliveries: Counter;
  /** 1 while this process holds its lease, 0 while it stands by. */
  readonly leaseHeld: Gauge;
  /** 1 for the lease's current holder as this process last saw it. */
  readonly leaseHolder: Gauge;
  /** 1 while connected to NATS. */
  readonly natsConnected: Gauge;

  constructor(readonly role: 'relay' | 'projector') {
    collectDefaultMetrics({ register: this.registry });
    this.registry.setDefaultLabels({ role });
    const r = [this.registry];
    this.relayed = new Counter({
      name: 'nhagiao_events_relayed_total',
      help: 'Events published to JetStream and acknowledged',
      registers: r,
    });
    this.projected = new Counter({
      name: 'nhagiao_events_projected_total',
      help: 'Events committed to the read model',
      registers: r,
    });
    this.lagEvents = new Gauge({
      name: 'nhagiao_lag_events',
      help: 'Events not yet handled by this role',
      registers: r,
    });
    this.lagSeconds = new Gauge({
      name: 'nhagiao_lag_seconds',
      help: 'Age of the oldest event not yet handled (0 when caught up)',
      registers: r,
    });
    this.position = new Gauge({
      name: 'nhagiao_position',
      help: 'Log position of the last event handled',
      registers: r,
    });
    this.batchSeconds = new Histogram({
      name: 'nhagiao_batch_duration_seconds',
      help: 'Time to apply and commit one batch (projector)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    });
    this.refusals = new Counter({
      name: 'nhagiao_batches_refused_total',
      help: 'Batches the read model refused because its checkpoint had moved',
      registers: r,
    });
    this.redeliveries = new Counter({
      name: 'nhagiao_redeliveries_total',
      help: 'Messages JetStream delivered more than once',
      registers: r,
    });
    this.leaseHeld = new Gauge({
      name: 'nhagiao_lease_held',
      help: '1 while this process holds its lease and works, 0 while it stands by',
      registers: r,
    });
    this.leaseHolder = new Gauge({
      name: 'nhagiao_lease_holder',
      help: '1 for the holder of the lease as last seen by this process',
      labelNames: ['holder'],
      registers: r,
    });
    this.natsConnected = new Gauge({
      name: 'nhagiao_nats_connected',
      help: '1 while connected to NATS',
      registers: r,
    });
  }

  /** Records who holds the lease (one labelled series at a time). */
  setHolder(held: boolean, holder: string | null): void {
    this.leaseHeld.set(held ? 1 : 0);
    this.leaseHolder.reset();
    if (holder !== null) this.leaseHolder.set({ holder }, 1);
  }
}

export interface OpsServer {
  /** `http://host:port`, the port chosen by the system when 0 was asked. */
  readonly url: string;
  close(): Promise<void>;
}

/** `HOST:PORT` (or `:PORT`, or a bare port) → where to listen; loopback unless told. */
export const parseListen = (value: string): { host: string; port: number } => {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(value.trim());
  const port = m === null ? NaN : Number(m[2]);
  if (m === null || port > 65_535)
    throw new RangeError(`listen address "${value}": expected HOST:PORT, e.g. 127.0.0.1:9464`);
  const host = (m[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '127.0.0.1' : host, port };
};

/**
 * `/healthz` (200 while the process serves requests), `/readyz` (200 when
 * `readiness` says ready, else 503, with its detail as JSON) and `/metrics`
 * (the registry in Prometheus' text format).
 */
export const startOpsServer = async (options: {
  readonly listen: string;
  readonly registry: Registry;
  readonly readiness: () => Readiness | Promise<Readiness>;
}): Promise<OpsServer> => {
  const { host, port } = parseListen(options.listen);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const json = (status: number, body: unknown): void =>
      reply(
        status,
        'application/json',
        JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
      );
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'GET only' });
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      Promise.resolve()
        .then(() => options.readiness())
        .then(
          (r) => json(r.ready ? 200 : 503, { ready: r.ready, ...r.detail }),
          (error: unknown) =>
            json(503, {
              ready: false,
              error: error instanceof Error ? error.message : String(error),
            }),
        );
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => reply(200, options.registry.contentType, text),
        (error: unknown) => reply(500, 'text/plain', String(error)),
      );
      return;
    }
    json(404, { error: `no ${path}: try /healthz, /readyz or /metrics` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
