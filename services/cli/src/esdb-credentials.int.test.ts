// The protocol double is test support of the eventstore package, outside its exports.
import {
  type EsdbDouble,
  type SelfSignedTls,
  secureUrl,
  selfSignedTls,
  startEsdbDouble,
} from '../../../packages/eventstore/test-support/esdb-double/index.js';
import { cliSandbox } from './test-support/run.js';

/** A secure EventStoreDB (credentials over TLS), proved on the protocol double. */
describe('nhagiao against a secure EventStoreDB', () => {
  let tls: SelfSignedTls;
  let double: EsdbDouble;
  const sandbox = cliSandbox();
  beforeAll(async () => {
    tls = selfSignedTls();
    double = await startEsdbDouble({ tls, auth: 'nhagiao:s3cret' });
  });
  afterAll(async () => {
    await double.stop();
    tls.cleanup();
    sandbox.cleanup();
  });

  it.each([
    ['wrong credentials', 'nhagiao:wrong'],
    ['no credentials', undefined],
  ])('exits non-zero at once with %s, saying how to fix them', async (_, credentials) => {
    const r = await sandbox.run([
      'indicators',
      '--as-of',
      '2025-12-31',
      '--store',
      secureUrl(double.port, tls.caFile, credentials),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/access denied/);
    expect(r.stderr).toMatch(/esdb:\/\/USER:PASSWORD@host/);
  });

  it('works with the right credentials in the connection string', async () => {
    const r = await sandbox.run([
      'indicators',
      '--as-of',
      '2025-12-31',
      '--store',
      secureUrl(double.port, tls.caFile, 'nhagiao:s3cret'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
