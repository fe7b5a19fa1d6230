import { generateDataset } from '@nhagiao/dataset';
// The protocol double is test support of the eventstore package, outside its exports.
import {
  type EsdbCluster,
  type SelfSignedTls,
  selfSignedTls,
  startEsdbCluster,
} from '../../../packages/eventstore/test-support/esdb-double/index.js';
import { cliSandbox } from './test-support/run.js';

const NHAGIAO = /^(teacher|unit|programme|funding|report)-/;

/**
 * The command line on a 3-node EventStoreDB cluster (protocol doubles): the
 * import command as it is, its leader killed in the middle.
 */
describe('nhagiao import on a 3-node EventStoreDB cluster', () => {
  let cluster: EsdbCluster | undefined;
  const sandbox = cliSandbox();
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });
  afterAll(() => sandbox.cleanup());

  it('leader killed mid-import: the run goes on or fails, a re-run completes, nothing is stored twice', async () => {
    const c = await startEsdbCluster({ nodes: 3 });
    cluster = c;
    const lines = [...generateDataset({ teachers: 25 })];
    const file = sandbox.file(lines);
    let seen = 0;
    let killed: Promise<number> | undefined;
    const unlisten = c.log.onAppend((e) => {
      seen += NHAGIAO.test(e.stream) ? 1 : 0;
      if (seen === Math.floor(lines.length / 3) && killed === undefined) killed = c.killLeader();
    });
    const first = await sandbox.run(['import', file, '--store', c.url]);
    unlisten();
    expect(await killed).not.toBe(0);
    const second = await sandbox.run(['import', file, '--store', c.url]);
    expect(second.code).toBe(0);
    // What the first run stored is reported as duplicates, the rest appended.
    expect(second.stderr).toMatch(/\d+ appended, \d+ duplicates, 0 rejected/);
    const ids = c.log.events.filter((e) => NHAGIAO.test(e.stream)).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(lines.length);
    // The first run either went through the election or stopped with a clear error.
    if (first.code !== 0) expect(first.stderr).toMatch(/EventStoreDB/);
  }, 120_000);

  describe('secure', () => {
    let tls: SelfSignedTls;
    beforeAll(() => {
      tls = selfSignedTls();
    });
    afterAll(() => tls.cleanup());

    it('wrong credentials: a clear error and a non-zero exit, at once, nothing written', async () => {
      const c = await startEsdbCluster({ nodes: 3, tls, auth: 'nhagiao:s3cret' });
      cluster = c;
      const url = c.url
        .replace('esdb://', 'esdb://nhagiao:wrong@')
        .replace('?tls=true', `?tls=true&tlsCAFile=${encodeURIComponent(tls.caFile)}`);
      const file = sandbox.file([...generateDataset({ teachers: 2 })]);
      const began = Date.now();
      const r = await sandbox.run(['import', file, '--store', url]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/access denied/);
      expect(r.stderr).toMatch(/esdb:\/\/USER:PASSWORD@host/);
      expect(Date.now() - began).toBeLessThan(10_000);
      expect(c.log.events.some((e) => NHAGIAO.test(e.stream))).toBe(false);
    });
  });
});
