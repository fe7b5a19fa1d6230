import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  AuditLog,
  SqliteAuditStore,
  generateSigningKey,
  hashLeaf,
  parseCheckpoint,
  parseEntryBundle,
  signCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@nhagiao/audit';
import { getPlan } from '@nhagiao/domain';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { createIngestor, fileQuarantine } from '@nhagiao/ingest';
import { type ReadModelStore, openSqliteReadModel } from '@nhagiao/readmodels';
import type { FastifyInstance } from 'fastify';
import { type KeyStore, openKeyStore } from '../keys/key-store.js';
import { buildServer } from '../server.js';
import { catchUp } from '../test-support/stack.js';
import { logServingFromFiles } from './log.js';

const run = promisify(execFile);
const ORIGIN = 'nhagiao.test/log';
const key = generateSigningKey(ORIGIN);
const b64 = (s: string) => Buffer.from(s, 'base64');

let dir: string;
let store: EventStore;
let readModel: ReadModelStore;
let keys: KeyStore;
let app: FastifyInstance;
let base: string;
let auditor: string;
let reporter: string;
let oldNote: string;
let newNote: string;

const appendUnits = async (from: number, count: number): Promise<void> => {
  const writes = [];
  for (let i = from; i < from + count; i++) {
    writes.push({
      stream: `unit-u${i}`,
      expected: 'no-stream' as const,
      events: [
        {
          id: `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          type: 'UnitRegistered' as const,
          data: {
            unitId: `u${i}`,
            name: `Đơn vị ${i}`,
            kind: 'other' as const,
            area: 'a',
            registeredOn: '2020-01-01',
          },
        },
      ],
    });
  }
  await store.appendBatch(writes);
};

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(base + url, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-log-'));
  store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
  readModel = await openSqliteReadModel(path.join(dir, 'readmodel.sqlite'));
  keys = openKeyStore(path.join(dir, 'keys.sqlite'));
  const files = { audit: path.join(dir, 'audit.sqlite'), publicKey: path.join(dir, 'public.key') };
  writeFileSync(files.publicKey, `${key.publicKey}\n`);
  const plan = getPlan('bac-kan-423-2024');
  if (plan === undefined) throw new Error('no plan');
  const quarantine = fileQuarantine(path.join(dir, 'quarantine.ndjson'));
  app = await buildServer({
    store,
    readModel,
    ingestor: createIngestor({ store, quarantine }),
    keys,
    plan,
    log: logServingFromFiles(files),
  });
  base = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1/log`;
  auditor = keys.create({ role: 'auditor' }).secret;
  reporter = keys.create({ role: 'reporter' }).secret;

  // A first checkpoint of 300 events, then one of 600 while the server runs.
  await appendUnits(0, 300);
  const audit = SqliteAuditStore.open(files.audit);
  const log = new AuditLog(store, audit);
  const sign = async (at: string) =>
    (
      await log.checkpoint(key.privateKey, {
        origin: ORIGIN,
        now: new Date(at),
        reason: 'on-demand',
      })
    ).note;
  oldNote = await sign('2026-01-01T00:00:00Z');
  expect((await get('/checkpoint')).bytes.toString()).toBe(oldNote);
  await appendUnits(300, 300);
  newNote = await sign('2026-01-02T00:00:00Z');
  audit.close();
});

afterAll(async () => {
  await app.close();
  await store.close();
  await readModel.close();
  keys.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the transparency log over HTTP', () => {
  it('serves the latest signed checkpoint and the verifier key, as text, to anyone', async () => {
    const cp = await get('/checkpoint');
    expect(cp.status).toBe(200);
    expect(cp.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(cp.headers.get('cache-control')).toBe('public, max-age=5');
    expect(cp.bytes.toString()).toBe(newNote);
    expect(parseCheckpoint(newNote).size).toBe(600);
    expect((await get('/key')).bytes.toString()).toBe(`${key.publicKey}\n`);
  });

  it('serves hash tiles of height 8: leaf hashes at level 0, 256-leaf subtree roots at level 1', async () => {
    const full = await get('/tile/0/000');
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('application/octet-stream');
    expect(full.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(full.bytes.length).toBe(256 * 32);
    const partial = await get('/tile/0/002.p/88');
    expect(partial.bytes.length).toBe(88 * 32);
    const upper = await get('/tile/1/000.p/2');
    expect(upper.bytes.length).toBe(64);
    // A partial tile of the earlier checkpoint (300 = 256 + 44) is still served.
    expect((await get('/tile/0/001.p/44')).bytes).toEqual(
      (await get('/tile/0/001')).bytes.subarray(0, 44 * 32),
    );
    // Past the published tree, malformed, or spelled otherwise than C2SP: 404.
    for (const p of [
      '/tile/0/003',
      '/tile/0/002.p/89',
      '/tile/1/000',
      '/tile/0/0',
      '/tile/00/000',
      '/tile/0/002.p/088',
    ])
      expect([p, (await get(p)).status]).toEqual([p, 404]);

    // Each level-1 hash is the root of 256 leaves: the tree of 512 has it as its root's children.
    const proof = await get('/proof/inclusion?index=0&treeSize=512');
    const body = JSON.parse(proof.bytes.toString()) as { proof: string[] };
    expect(b64(body.proof[body.proof.length - 1] as string)).toEqual(upper.bytes.subarray(32));
  });

  it('gives entry bundles to auditors only, each entry the leaf bytes that hash to the tile', async () => {
    expect((await get('/tile/entries/000')).status).toBe(401);
    expect((await get('/tile/entries/000', { authorization: `Bearer ${reporter}` })).status).toBe(
      403,
    );
    const bundle = await get('/tile/entries/002.p/88', { authorization: `Bearer ${auditor}` });
    expect(bundle.status).toBe(200);
    const entries = parseEntryBundle(bundle.bytes);
    expect(entries).toHaveLength(88);
    const tile = (await get('/tile/0/002.p/88')).bytes;
    entries.forEach((e, i) => expect(hashLeaf(e)).toEqual(tile.subarray(i * 32, i * 32 + 32)));
    expect(JSON.parse(entries[0]?.toString() ?? '')).toMatchObject({
      position: expect.any(String),
    });
  });

  it('serves inclusion proofs by index or event id and consistency proofs, all checking against the checkpoints', async () => {
    const cp = parseCheckpoint(newNote);
    const byId = await get('/proof/inclusion?eventId=30000000-0000-4000-8000-000000000123', {
      authorization: `Bearer ${auditor}`,
    });
    const p = JSON.parse(byId.bytes.toString()) as {
      index: number;
      treeSize: number;
      leafHash: string;
      rootHash: string;
      proof: string[];
    };
    expect(p).toMatchObject({ index: 123, treeSize: 600, eventId: expect.any(String) });
    expect(b64(p.rootHash)).toEqual(cp.rootHash);
    expect(verifyInclusion(b64(p.leafHash), 123, 600, p.proof.map(b64), cp.rootHash)).toBe(true);

    const old = parseCheckpoint(oldNote);
    const c = JSON.parse((await get('/proof/consistency?from=300')).bytes.toString()) as {
      from: number;
      to: number;
      fromRoot: string;
      proof: string[];
    };
    expect(c).toMatchObject({ from: 300, to: 600 });
    expect(verifyConsistency(300, 600, old.rootHash, cp.rootHash, c.proof.map(b64))).toBe(true);

    for (const bad of [
      '/proof/inclusion?index=600',
      '/proof/inclusion?index=1&treeSize=601',
      '/proof/inclusion?index=01',
      '/proof/inclusion',
      '/proof/consistency?from=601',
    ])
      expect([bad, (await get(bad)).status]).toEqual([bad, 400]);
    expect(
      (await get('/proof/inclusion?eventId=nope', { authorization: `Bearer ${auditor}` })).status,
    ).toBe(404);
  });

  it('answers a lookup by event id only to a key, and the same for an event that does not exist and one the key may not see', async () => {
    const id = '30000000-0000-4000-8000-000000000123';
    // Without a key, by id: 401 (a proof by leaf index stays public).
    expect((await get(`/proof/inclusion?eventId=${id}`)).status).toBe(401);
    expect((await get('/proof/inclusion?index=123')).status).toBe(200);
    const ofU1 = keys.create({ role: 'integrator', units: ['u1'] }).secret;
    const as = { authorization: `Bearer ${ofU1}` };
    const other = await get(`/proof/inclusion?eventId=${id}`, as);
    const missing = await get('/proof/inclusion?eventId=30000000-0000-4000-8000-999999999999', as);
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    const text = (r: { bytes: Buffer }) =>
      r.bytes.toString().replace(/30000000-0000-4000-8000-\d{12}/g, 'ID');
    expect(text(other)).toBe(text(missing));
    // Its own unit's event: the proof.
    const own = await get('/proof/inclusion?eventId=30000000-0000-4000-8000-000000000001', as);
    expect(own.status).toBe(200);
    // A reader of figures only may not look events up.
    expect(
      (await get(`/proof/inclusion?eventId=${id}`, { authorization: `Bearer ${reporter}` })).status,
    ).toBe(403);
  });
});

describe("an annual report's checkpoint and as-of day", () => {
  const signOff = async (secret: string, data: Record<string, unknown>) => {
    const res = await fetch(`${base.replace(/\/log$/, '')}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: crypto.randomUUID(),
        type: 'AnnualReportSubmitted',
        data: { unitId: 'u7', year: 2025, ...data },
      }),
    });
    return { status: res.status, body: (await res.json()) as { details?: { path: string }[] } };
  };

  it("refuses a checkpoint the log never had: another key's, an edited one, a root the log never had, one past the log", async () => {
    const plan = getPlan('bac-kan-423-2024');
    if (plan === undefined) throw new Error('no plan');
    await catchUp(store, readModel, plan)();
    const ofU7 = keys.create({ role: 'integrator', units: ['u7'] }).secret;
    const cp = parseCheckpoint(oldNote);
    const forged = [
      // Signed by another key for the same origin.
      signCheckpoint(cp, generateSigningKey(ORIGIN).privateKey),
      // The root line edited: the signature no longer matches.
      oldNote.replace(cp.rootHash.toString('base64'), Buffer.alloc(32, 7).toString('base64')),
      // Signed by the log's key, but a root the log never had at that size.
      signCheckpoint({ ...cp, rootHash: Buffer.alloc(32, 9) }, key.privateKey),
      // Signed by the log's key, past what the log has published.
      signCheckpoint({ ...cp, size: 10_000 }, key.privateKey),
      'free text',
    ];
    for (const checkpoint of forged) {
      const res = await signOff(ofU7, { checkpoint });
      expect([res.status, res.body.details?.[0]?.path]).toEqual([422, '[1].data.checkpoint']);
    }
    // A checkpoint the log had (an older one too) is taken.
    expect((await signOff(ofU7, { checkpoint: oldNote })).status).toBe(200);
  });

  it("refuses an as-of day outside the report's year", async () => {
    const plan = getPlan('bac-kan-423-2024');
    if (plan === undefined) throw new Error('no plan');
    await catchUp(store, readModel, plan)();
    const ofU8 = keys.create({ role: 'integrator', units: ['u8'] }).secret;
    const res = await fetch(`${base.replace(/\/log$/, '')}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ofU8}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: crypto.randomUUID(),
        type: 'AnnualReportSubmitted',
        data: { unitId: 'u8', year: 2025, asOf: '2021-06-30' },
      }),
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('data.asOf');
  });
});

/** The Go verifier, built from packages/audit/interop with Debian's golang-golang-x-mod-dev. */
const GOPATH = '/usr/share/gocode';
const buildGoVerifier = async (out: string): Promise<string> => {
  if (!existsSync(`${GOPATH}/src/golang.org/x/mod/sumdb/tlog`))
    throw new Error(
      `${GOPATH}/src/golang.org/x/mod/sumdb is missing: install golang-go and golang-golang-x-mod-dev (.ci/run does)`,
    );
  const bin = path.join(out, 'verify');
  await run(
    'go',
    ['build', '-o', bin, path.join(__dirname, '../../../../packages/audit/interop/verify.go')],
    {
      env: {
        ...process.env,
        GO111MODULE: 'off',
        GOPATH,
        GOCACHE: path.join(out, 'cache'),
        GOFLAGS: '',
      },
    },
  );
  return bin;
};

/** A man in the middle between the verifier and the log, changing what `alter` says. */
const tamperingProxy = async (
  alter: (url: string, body: Buffer) => Buffer,
): Promise<{ url: string; server: Server }> => {
  const origin = base.slice(0, base.indexOf('/v1/log'));
  const server = createServer((req, res) => {
    void (async () => {
      const upstream = await fetch(origin + (req.url ?? ''), {
        headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
      });
      const body = alter(req.url ?? '', Buffer.from(await upstream.arrayBuffer()));
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? '',
      });
      res.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}/v1/log`, server };
};

describe('checked with the Go checksum database packages (sumdb/note, sumdb/tlog)', () => {
  let tmp: string;
  let bin: string;
  let oldFile: string;
  beforeAll(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'nhagiao-go-'));
    bin = await buildGoVerifier(tmp);
    oldFile = path.join(tmp, 'old.checkpoint');
    writeFileSync(oldFile, oldNote);
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const verify = (url: string) =>
    run(
      bin,
      [
        '-log',
        url,
        '-vkey',
        key.publicKey,
        '-auditor-key',
        auditor,
        '-old',
        oldFile,
        '-leaves',
        '1,255,256,299,300,511,512',
      ],
      {
        timeout: 60_000,
      },
    ).then(
      (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        out: e.stdout,
        err: e.stderr,
      }),
    );

  it('verifies the signature, the tiles, the entry bundles and every proof', async () => {
    const r = await verify(base);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('checkpoint: signed by nhagiao.test/log, 600 leaves');
    expect(r.out).toContain('tiles: tree hash through tlog.TileHashReader equals the signed root');
    expect(r.out).toMatch(/tiles: 600 leaf hashes rebuild the signed root; all \d+ tiles equal/);
    expect(r.out).toContain('inclusion: leaf 512');
    expect(r.out).toContain('entries: 600 leaves');
    expect(r.out).toContain('consistency: 300 → 600');
  }, 60_000);

  it.each([
    [
      'a flipped byte in a tile',
      (url: string, b: Buffer) => (url.endsWith('/tile/0/001') ? flip(b, 100) : b),
      'the leaf hashes of the level-0 tiles hash to',
    ],
    [
      'an edited checkpoint',
      (url: string, b: Buffer) =>
        url.endsWith('/checkpoint') ? Buffer.from(b.toString().replace('\n600\n', '\n601\n')) : b,
      'checkpoint signature',
    ],
    [
      'an altered entry',
      (url: string, b: Buffer) => (url.includes('/tile/entries/001') ? flip(b, 40) : b),
      'does not hash to its leaf',
    ],
    [
      'a wrong consistency proof',
      (url: string, b: Buffer) =>
        url.includes('/proof/consistency')
          ? Buffer.from(b.toString().replace(/"proof":\["[A-Za-z0-9+/]/, '"proof":["A'))
          : b,
      'consistency from 300 to 600',
    ],
  ])(
    'fails on %s',
    async (_what, alter, message) => {
      const proxy = await tamperingProxy(alter);
      try {
        const r = await verify(proxy.url);
        expect(r.code).toBe(1);
        expect(r.err).toContain(message);
      } finally {
        proxy.server.close();
      }
    },
    60_000,
  );
});

const flip = (b: Buffer, at: number): Buffer => {
  const c = Buffer.from(b);
  c[at] = (c[at] ?? 0) ^ 1;
  return c;
};
