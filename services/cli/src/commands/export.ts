import { createHash } from 'node:crypto';
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import {
  LEAF_FORMAT,
  MemoryLeafHashStore,
  TILE_WIDTH,
  formatTilePath,
  parseEntryBundle,
  type PersonalCommitment,
  SqliteAuditStore,
  encodeLeaf,
  hashLeaf,
  parseCheckpoint,
} from '@nhagiao/audit';
import type { RecordedEvent } from '@nhagiao/domain';
import { openSqliteEventStore } from '@nhagiao/eventstore/sqlite';
import Database from 'better-sqlite3';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { CliError, usageError } from '../errors.js';
import { openReadModel, openStore } from '../runtime.js';
import { auditFiles, readWitnesses } from './audit-runtime.js';

/** The format of an exported audit bundle, named in its manifest. */
export const BUNDLE_FORMAT = 'nhagiao-audit-bundle/1';

export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly origin: string;
  readonly leafFormat: string;
  /** Events (= leaves) in the bundle: the size of its latest checkpoint. */
  readonly treeSize: number;
  readonly checkpoints: number;
  readonly reports: number;
  /** The operator's ledger digest at export, when its read model stood at the same event; else null. */
  readonly ledgerDigest: string | null;
  readonly exportedAt: string;
  /** SHA-256 hex of every other file of the bundle, by its path inside it. */
  readonly files: Readonly<Record<string, string>>;
}

interface EventLine {
  position: string;
  stream: string;
  revision: string;
  id: string;
  type: string;
  recordedAt: string;
  data: unknown;
  metadata: Record<string, string>;
}

const toLine = (e: RecordedEvent): EventLine => ({
  position: e.position.toString(),
  stream: e.stream,
  revision: e.revision.toString(),
  id: e.id,
  type: e.type,
  recordedAt: e.recordedAt,
  data: e.data,
  metadata: { ...e.metadata },
});

/** Writes lines to a file, waiting when the stream asks to. */
const lineWriter = (file: string) => {
  const out = createWriteStream(file);
  const hash = createHash('sha256');
  return {
    async write(line: string): Promise<void> {
      const text = `${line}\n`;
      hash.update(text);
      if (!out.write(text))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    },
    async close(): Promise<string> {
      await new Promise<void>((resolve, reject) =>
        out.end((e?: Error | null) => (e ? reject(e) : resolve())),
      );
      return hash.digest('hex');
    },
  };
};

const sha256File = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex');

export const exportCommand: Command = {
  name: 'export',
  usage: 'export --out DIR',
  options: { ...dataOptions, out: { type: 'string' } },
  help: `Writes what an auditor needs to check the log on their own machine, with
nothing of the operator's (\`nhagiao verify --bundle DIR\`):
  events.ndjson       every event the latest checkpoint covers, in log order
  leaves.ndjson       leaf i on line i: the exact leaf bytes (RFC 8785 JSON),
                      each checked against the leaf hash recorded when the event
                      was appended (the export stops if one differs)
  salts.ndjson        the salts and commitments of personal data (leaf format ${LEAF_FORMAT})
  checkpoints/N.checkpoint  every checkpoint signed, with its witnesses' cosignatures
  checkpoint          the latest of them
  reports.ndjson      the submitted annual reports (AnnualReportSubmitted events)
  keys/log.vkey, keys/witnesses.vkey   the verifier keys (check them against
                      those you were given)
  manifest.json       counts, the operator's ledger digest, and the SHA-256 of
                      every file
The bundle holds personal data (names, birth dates, ethnicity): give it to
auditors only, as the API gives them entry bundles.

  --out DIR           a new or empty directory
${dataOptionsHelp}`,
  async run(ctx) {
    const out = ctx.values.out;
    if (typeof out !== 'string') throw usageError('--out DIR: where to write the bundle');
    if (existsSync(out) && readdirSync(out).length > 0)
      throw new CliError(`${out} is not empty: export into a new or empty directory`);
    const config = dataConfig(ctx.values, ctx.env);
    const files = auditFiles(config);
    if (!existsSync(files.audit))
      throw new CliError(
        `no audit trail at ${files.audit}: run \`nhagiao audit checkpoint\` first`,
      );
    const audit = SqliteAuditStore.open(files.audit, { readOnly: true });
    const store = await openStore(config, { readOnly: true });
    try {
      const saved = audit.checkpoints();
      const latest = saved[saved.length - 1];
      if (latest === undefined)
        throw new CliError('no checkpoint yet: run `nhagiao audit checkpoint` first');
      const size = latest.size;
      mkdirSync(path.join(out, 'checkpoints'), { recursive: true });
      mkdirSync(path.join(out, 'keys'), { recursive: true });
      const digests: Record<string, string> = {};

      const events = lineWriter(path.join(out, 'events.ndjson'));
      const leaves = lineWriter(path.join(out, 'leaves.ndjson'));
      const salts = lineWriter(path.join(out, 'salts.ndjson'));
      const reports = lineWriter(path.join(out, 'reports.ndjson'));
      let index = 0;
      let reportCount = 0;
      let lastPosition: bigint | null = null;
      if (size > 0) {
        for await (const e of store.readAll()) {
          if (index >= size) break;
          const recorded = audit.leaves.get(index);
          const leaf = encodeLeaf(e, audit.salts);
          if (audit.leaves.positionOf(index) !== e.position || !hashLeaf(leaf).equals(recorded))
            throw new CliError(
              `the event at position ${e.position} (leaf ${index}) is not the one recorded: the log was changed; run \`nhagiao verify\``,
            );
          await events.write(JSON.stringify(toLine(e)));
          await leaves.write(leaf.toString('utf8'));
          const kept = audit.salts.get(e.id);
          if (kept !== undefined)
            await salts.write(
              JSON.stringify({
                eventId: e.id,
                salt: kept.salt?.toString('base64') ?? null,
                commitments: kept.commitments,
              }),
            );
          if (e.type === 'AnnualReportSubmitted') {
            reportCount += 1;
            await reports.write(JSON.stringify(toLine(e)));
          }
          lastPosition = e.position;
          index += 1;
        }
      }
      if (index !== size)
        throw new CliError(`the log holds ${index} events, fewer than the ${size} signed`);
      digests['events.ndjson'] = await events.close();
      digests['leaves.ndjson'] = await leaves.close();
      digests['salts.ndjson'] = await salts.close();
      digests['reports.ndjson'] = await reports.close();

      saved.forEach((c, i) => {
        const name = `checkpoints/${String(i + 1).padStart(6, '0')}.checkpoint`;
        const note = c.note + audit.cosignatureLines(c.id);
        writeFileSync(path.join(out, name), note);
        digests[name] = sha256File(path.join(out, name));
        if (c === latest) {
          writeFileSync(path.join(out, 'checkpoint'), note);
          digests.checkpoint = sha256File(path.join(out, 'checkpoint'));
        }
      });
      if (existsSync(files.publicKey)) {
        writeFileSync(path.join(out, 'keys/log.vkey'), readFileSync(files.publicKey));
        digests['keys/log.vkey'] = sha256File(path.join(out, 'keys/log.vkey'));
      }
      writeFileSync(
        path.join(out, 'keys/witnesses.vkey'),
        readWitnesses(config)
          .map((w) => `${w.key}\n`)
          .join(''),
      );
      digests['keys/witnesses.vkey'] = sha256File(path.join(out, 'keys/witnesses.vkey'));

      // The operator's own ledger digest, when its read model stands at the last exported event.
      let ledgerDigest: string | null = null;
      const readModel = await openReadModel(config);
      try {
        if (lastPosition !== null && (await readModel.checkpoint('ledger')) === lastPosition)
          ledgerDigest = await readModel.digest();
      } finally {
        await readModel.close();
      }
      const manifest: BundleManifest = {
        format: BUNDLE_FORMAT,
        origin: parseCheckpoint(latest.note).origin,
        leafFormat: LEAF_FORMAT,
        treeSize: size,
        checkpoints: saved.length,
        reports: reportCount,
        ledgerDigest,
        exportedAt: new Date().toISOString(),
        files: digests,
      };
      writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      ctx.stderr.write(
        `gói kiểm toán / audit bundle: ${out} — ${size} events, ${saved.length} checkpoints, ${reportCount} reports\n`,
      );
      return 0;
    } finally {
      audit.close();
      await store.close();
    }
  },
};

/**
 * An earlier bundle's checkpoints and leaf hashes, for `verify --earlier-bundle`:
 * the files checked against the manifest, the leaves hashed as RFC 6962 leaves.
 */
export const readEarlierBundle = (
  bundle: string,
): { checkpoints: { label: string; note: string }[]; leaves: MemoryLeafHashStore } => {
  const manifestFile = path.join(bundle, 'manifest.json');
  if (!existsSync(manifestFile))
    throw new CliError(`${bundle}: no manifest.json, not an audit bundle`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BundleManifest;
  for (const [name, digest] of Object.entries(manifest.files)) {
    const file = path.join(bundle, name);
    if (!existsSync(file) || sha256File(file) !== digest)
      throw new CliError(`${file} is missing or does not match its SHA-256 in manifest.json`);
  }
  const leaves = new MemoryLeafHashStore();
  const text = readFileSync(path.join(bundle, 'leaves.ndjson'), 'utf8');
  for (const line of text.split('\n'))
    if (line !== '') leaves.append(hashLeaf(Buffer.from(line, 'utf8')));
  const dir = path.join(bundle, 'checkpoints');
  const checkpoints = readdirSync(dir)
    .sort()
    .map((name) => ({
      label: `${bundle} ${name} (exported ${manifest.exportedAt})`,
      note: readFileSync(path.join(dir, name), 'utf8'),
    }));
  return { checkpoints, leaves };
};

/**
 * Calls `each` with every non-empty line of a file and its number, reading 4 MiB
 * at a time: synchronous, because a million lines through an async iterator
 * cost more than the rest of loading a bundle. Returns the file's SHA-256 (hex),
 * hashed on the same read.
 */
const forEachLine = (file: string, each: (line: string, n: number) => void): string => {
  const fd = openSync(file, 'r');
  const hash = createHash('sha256');
  try {
    let chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
    let kept = 0; // bytes of an unfinished line carried at the start of `chunk`
    let n = 0;
    for (;;) {
      if (kept === chunk.length) {
        const grown = Buffer.allocUnsafe(chunk.length * 2);
        chunk.copy(grown, 0, 0, kept);
        chunk = grown;
      }
      const read = readSync(fd, chunk, kept, chunk.length - kept, null);
      hash.update(chunk.subarray(kept, kept + read));
      const end = kept + read;
      // Lines end at a newline byte, which never occurs inside a UTF-8 sequence.
      const last = read === 0 ? end : chunk.lastIndexOf(0x0a, end - 1) + 1;
      if (last > 0) {
        for (const line of chunk.toString('utf8', 0, last).split('\n')) {
          n += 1;
          if (line !== '') each(line, n);
        }
        if (read !== 0 && chunk[last - 1] === 0x0a) n -= 1; // the split's empty tail
      }
      if (read === 0) return hash.digest('hex');
      chunk.copy(chunk, 0, last, end);
      kept = end - last;
    }
  } finally {
    closeSync(fd);
  }
};

const parseLine = <T>(file: string, line: string, n: number): T => {
  try {
    return JSON.parse(line) as T;
  } catch (e) {
    throw new CliError(`${file}:${n}: ${(e as Error).message}`);
  }
};

/**
 * Makes a data directory of an exported bundle, for `verify --bundle`: the
 * events in a fresh SQLite store at their own positions, and an audit file
 * holding the bundle's leaves (as the recorded leaves), salts and checkpoints.
 * Each file is first checked against the manifest's SHA-256. Returns the
 * manifest.
 */
export const materializeBundle = async (bundle: string, into: string): Promise<BundleManifest> => {
  const manifestFile = path.join(bundle, 'manifest.json');
  if (!existsSync(manifestFile))
    throw new CliError(`${bundle}: no manifest.json, not an audit bundle`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BundleManifest;
  if (manifest.format !== BUNDLE_FORMAT)
    throw new CliError(
      `${manifestFile}: format ${String(manifest.format)}, expected ${BUNDLE_FORMAT}`,
    );
  if (manifest.leafFormat !== LEAF_FORMAT)
    throw new CliError(
      `${manifestFile}: leaf format ${manifest.leafFormat}, this release reads ${LEAF_FORMAT}`,
    );
  // The large files are hashed as they are read below; the others now.
  const streamed = new Set(['events.ndjson', 'leaves.ndjson', 'salts.ndjson']);
  const checkDigest = (name: string, actual: string | null): void => {
    if (actual === null || actual !== manifest.files[name])
      throw new CliError(
        `${path.join(bundle, name)} is missing or does not match its SHA-256 in manifest.json`,
      );
  };
  for (const name of Object.keys(manifest.files)) {
    const file = path.join(bundle, name);
    if (!streamed.has(name)) checkDigest(name, existsSync(file) ? sha256File(file) : null);
  }
  for (const name of streamed) if (!existsSync(path.join(bundle, name))) checkDigest(name, null);

  // The store: created by the adapter (its schema), filled at the bundle's positions.
  const storeFile = path.join(into, 'events.sqlite');
  await openSqliteEventStore(storeFile).close();
  const db = new Database(storeFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  // SQLite takes each line apart itself (its JSON functions, in C): parsing a
  // million events in JavaScript to write them back as text costs more.
  const insert = db.prepare(
    `INSERT INTO events (position, id, stream, revision, type, data, metadata, recorded_at)
     SELECT CAST(j ->> '$.position' AS INTEGER), j ->> '$.id', j ->> '$.stream',
            CAST(j ->> '$.revision' AS INTEGER), j ->> '$.type', j -> '$.data',
            j -> '$.metadata', j ->> '$.recordedAt'
       FROM (SELECT json(?) AS j)`,
  );
  const positions: bigint[] = [];
  let batch: string[] = [];
  const flush = db.transaction((lines: string[]) => {
    for (const line of lines) insert.run(line);
  });
  const eventsFile = path.join(bundle, 'events.ndjson');
  const eventsDigest = forEachLine(eventsFile, (line, n) => {
    // Export writes the position first; any other spelling is read in full.
    const m = /^\{"position":"(0|[1-9][0-9]*)"/.exec(line);
    positions.push(BigInt(m?.[1] ?? parseLine<{ position: string }>(eventsFile, line, n).position));
    batch.push(line);
    if (batch.length === 10_000) {
      try {
        flush(batch);
      } catch (e) {
        throw new CliError(`${eventsFile}, around line ${n}: ${(e as Error).message}`);
      }
      batch = [];
    }
  });
  try {
    flush(batch);
  } catch (e) {
    throw new CliError(`${eventsFile}: ${(e as Error).message}`);
  }
  db.close();

  const audit = SqliteAuditStore.open(path.join(into, 'audit.sqlite'));
  try {
    let i = 0;
    let rows: { position: bigint; hash: Buffer }[] = [];
    const leavesFile = path.join(bundle, 'leaves.ndjson');
    const leavesDigest = forEachLine(leavesFile, (line) => {
      const position = positions[i];
      if (position === undefined)
        throw new CliError(`${leavesFile}:${i + 1}: more leaves than events`);
      rows.push({ position, hash: hashLeaf(Buffer.from(line, 'utf8')) });
      i += 1;
      if (rows.length === 10_000) {
        audit.appendRecordedLeaves(rows);
        rows = [];
      }
    });
    audit.appendRecordedLeaves(rows);
    let salts: { eventId: string; commitment: PersonalCommitment }[] = [];
    const saltsFile = path.join(bundle, 'salts.ndjson');
    const saltsDigest = forEachLine(saltsFile, (line, n) => {
      const s = parseLine<{
        eventId: string;
        salt: string | null;
        commitments: Record<string, string>;
      }>(saltsFile, line, n);
      salts.push({
        eventId: s.eventId,
        commitment: {
          salt: s.salt === null ? null : Buffer.from(s.salt, 'base64'),
          commitments: s.commitments,
        },
      });
      if (salts.length === 10_000) {
        audit.importPersonalCommitments(salts);
        salts = [];
      }
    });
    audit.importPersonalCommitments(salts);
    // Nothing loaded is used unless every file is the one the manifest names.
    checkDigest('events.ndjson', eventsDigest);
    checkDigest('leaves.ndjson', leavesDigest);
    checkDigest('salts.ndjson', saltsDigest);
    if (i !== positions.length)
      throw new CliError(`${leavesFile}: ${i} leaves for ${positions.length} events`);
    const dir = path.join(bundle, 'checkpoints');
    for (const name of readdirSync(dir).sort()) {
      const note = readFileSync(path.join(dir, name), 'utf8');
      let size: number;
      try {
        size = parseCheckpoint(note).size;
      } catch (e) {
        throw new CliError(`${path.join(dir, name)}: ${(e as Error).message}`);
      }
      audit.saveCheckpoint(size, note, `bundle ${name}`, manifest.exportedAt);
    }
  } finally {
    audit.close();
  }
  return manifest;
};

/**
 * Fetches a served log into a bundle directory, for `verify --from URL`: the
 * latest checkpoint, every event it covers and the salts (auditor key), and
 * the leaves from the C2SP entry bundles; the manifest is written here, from
 * what was received. The verifier key is not taken from the server.
 */
export const downloadBundle = async (
  url: string,
  auditorKey: string,
  into: string,
): Promise<void> => {
  const prefix = url.replace(/\/+$/, '').endsWith('/v1/log')
    ? url.replace(/\/+$/, '')
    : `${url.replace(/\/+$/, '')}/v1/log`;
  const get = async (p: string): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${prefix}/${p}`, { headers: { authorization: `Bearer ${auditorKey}` } });
    } catch (e) {
      throw new CliError(`${prefix}/${p}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new CliError(`${prefix}/${p}: HTTP ${res.status} ${await res.text()}`);
    return res;
  };
  const note = await (await get('checkpoint')).text();
  let size: number;
  let origin: string;
  try {
    ({ size, origin } = parseCheckpoint(note));
  } catch (e) {
    throw new CliError(`${prefix}/checkpoint: ${(e as Error).message}`);
  }
  mkdirSync(path.join(into, 'checkpoints'), { recursive: true });
  writeFileSync(path.join(into, 'checkpoint'), note);
  writeFileSync(path.join(into, 'checkpoints/000001.checkpoint'), note);
  const events = await get('events');
  const file = createWriteStream(path.join(into, 'events.ndjson'));
  for await (const chunk of events.body ?? []) {
    if (!file.write(chunk))
      await new Promise<void>((resolve) => file.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    file.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );
  writeFileSync(path.join(into, 'salts.ndjson'), await (await get('salts')).text());
  const leaves = lineWriter(path.join(into, 'leaves.ndjson'));
  for (let index = 0; index * TILE_WIDTH < size; index++) {
    const width = Math.min(TILE_WIDTH, size - index * TILE_WIDTH);
    const bytes = Buffer.from(
      await (await get(formatTilePath({ level: 'entries', index, width }))).arrayBuffer(),
    );
    const entries = parseEntryBundle(bytes);
    if (entries.length !== width)
      throw new CliError(`entry bundle ${index}: ${entries.length} entries, expected ${width}`);
    for (const e of entries) await leaves.write(e.toString('utf8'));
  }
  await leaves.close();
  writeFileSync(path.join(into, 'reports.ndjson'), '');
  const files: Record<string, string> = {};
  for (const name of [
    'events.ndjson',
    'leaves.ndjson',
    'salts.ndjson',
    'reports.ndjson',
    'checkpoint',
    'checkpoints/000001.checkpoint',
  ])
    files[name] = sha256File(path.join(into, name));
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    origin,
    leafFormat: LEAF_FORMAT,
    treeSize: size,
    checkpoints: 1,
    reports: 0,
    ledgerDigest: null,
    exportedAt: new Date().toISOString(),
    files,
  };
  writeFileSync(path.join(into, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
};
