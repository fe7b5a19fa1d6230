import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServerDeps } from '../ports.js';

/**
 * `/healthz` (the process answers), `/readyz` (the store and the read model
 * answer, and the read model is at most `readyLagEvents` positions behind the
 * store; 503 otherwise) and `/metrics` (Prometheus text, from prom-client):
 * requests by route and status, their durations, the read model's checkpoint
 * and lag, and the process's own metrics. Public, like a load balancer needs
 * them; they tell nothing of the data.
 */
export const opsRoutes = (
  app: FastifyInstance,
  deps: Pick<ServerDeps, 'store' | 'readModel'>,
  options: { readonly readyLagEvents?: number } = {},
): void => {
  const readyLag = BigInt(options.readyLagEvents ?? 1_000);
  const registry = new Registry();
  registry.setDefaultLabels({ role: 'serve' });
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'nhagiao_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const durations = new Histogram({
    name: 'nhagiao_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const measure = async (): Promise<{ checkpoint: bigint | null; lag: bigint | null }> => {
    const [head, checkpoint] = await Promise.all([
      deps.store.head(),
      deps.readModel.checkpoint('ledger'),
    ]);
    const behind = head === null ? 0n : head - (checkpoint ?? 0n);
    return { checkpoint, lag: behind > 0n ? behind : 0n };
  };
  new Gauge({
    name: 'nhagiao_lag_events',
    help: 'Store positions the read model has not applied yet',
    registers: [registry],
    async collect() {
      const { lag } = await measure();
      this.set(Number(lag ?? 0n));
    },
  });
  new Gauge({
    name: 'nhagiao_position',
    help: "The read model's checkpoint",
    registers: [registry],
    async collect() {
      this.set(Number((await deps.readModel.checkpoint('ledger')) ?? 0n));
    },
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    durations.observe({ route }, reply.elapsedTime / 1000);
  });
  const hidden = { schema: { hide: true } };
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async (_request, reply) => {
    try {
      const { checkpoint, lag } = await measure();
      const ready = lag !== null && lag <= readyLag;
      return reply.code(ready ? 200 : 503).send({
        ready,
        checkpoint: checkpoint?.toString() ?? null,
        lagEvents: lag?.toString() ?? null,
        readyLagEvents: readyLag.toString(),
      });
    } catch (error) {
      return reply
        .code(503)
        .send({ ready: false, error: error instanceof Error ? error.message : String(error) });
    }
  });
  app.get('/metrics', hidden, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
};
