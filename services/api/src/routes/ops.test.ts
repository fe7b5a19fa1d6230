import type { Envelope } from '@nhagiao/domain';
import { listenForTests } from '../test-support/http.js';
import { type Stack, openStack } from '../test-support/stack.js';

let stack: Stack;
let http: Awaited<ReturnType<typeof listenForTests>>;

beforeAll(async () => {
  stack = await openStack();
  http = await listenForTests(stack.app);
});
afterAll(() => stack.close());

const ENVELOPE: Envelope = {
  id: '5a1b2c3d-0000-4000-8000-00000000ab01',
  type: 'UnitRegistered',
  data: {
    unitId: 'ops-unit',
    name: 'Trường Cao đẳng Thử nghiệm',
    kind: 'college',
    area: 'bac-kan',
    registeredOn: '2024-01-01',
  },
};

test('/healthz, /readyz and /metrics answer without a key and show how far the read model lags behind the store', async () => {
  expect((await http({ url: '/healthz' })).json()).toEqual({
    status: 'ok',
  });
  const ready = await http({ url: '/readyz' });
  expect(ready.statusCode).toBe(200);
  expect(ready.json()).toMatchObject({ ready: true, lagEvents: '0' });

  // An event the read model has not applied: the lag shows.
  await stack.store.append('unit-ops-unit', [ENVELOPE], 'no-stream');
  const metrics = await http({ url: '/metrics' });
  expect(metrics.statusCode).toBe(200);
  expect(metrics.headers['content-type']).toContain('text/plain');
  expect(metrics.body).toMatch(/^nhagiao_lag_events\{role="serve"\} 1$/m);
  expect(metrics.body).toMatch(
    /^nhagiao_http_requests_total\{method="GET",route="\/readyz",status="200",role="serve"\} 1$/m,
  );
  expect(metrics.body).toContain('process_resident_memory_bytes');
});
