import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type CheckpointSource,
  type LogFault,
  type LogVerificationReport,
  LogTree,
  SqliteAuditStore,
  parseCosignatureVerifier,
  verifyCosignatures,
  verifyLogTree,
} from '@nhagiao/audit';
import type { Plan, RecordedEvent } from '@nhagiao/domain';
import {
  type ReplayResult,
  digestInWorker,
  logPages,
  planReplay,
  prepareParallelReplay,
  replayForVerify,
} from '@nhagiao/projector/embedded';
import type { ReadModelQueries } from '@nhagiao/readmodels';
import { openSqliteReadModel } from '@nhagiao/readmodels/sqlite';
import { type SubmittedValue, unitIndicatorValues } from '@nhagiao/reports';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { formatOption, workersOption, toJson } from '../options.js';
import { usageError } from '../errors.js';
import { openStore, planOf, readModelForQuery } from '../runtime.js';
import { auditFiles, readPublicKey } from './audit-runtime.js';
import {
  type BundleManifest,
  downloadBundle,
  materializeBundle,
  readEarlierBundle,
} from './export.js';

/** Exit code when verification ran and something does not hold (0: all holds; 1: could not run). */
export const EXIT_VERIFY_FAILED = 3;

type ReportEvent = Extract<RecordedEvent, { type: 'AnnualReportSubmitted' }>;

interface LedgerDifference {
  readonly indicator: string;
  readonly scope: string;
  /** Store position of the first ledger row that differs (either side). */
  readonly position: string | null;
  readonly live: number;
  readonly replay: number;
}

const rowKey = (r: {
  validFrom: string;
  position: bigint;
  dNumerator: number;
  dDenominator: number;
  eventId: string;
  teacherId: string;
  unitId: string;
}) =>
  `${r.position}\t${r.validFrom}\t${r.unitId}\t${r.teacherId}\t${r.eventId}\t${r.dNumerator}\t${r.dDenominator}`;

/** Where two ledgers differ: per indicator and unit scope, the first ledger row that is not in both. */
const locateDifferences = async (
  live: ReadModelQueries,
  replay: ReadModelQueries,
  plan: Plan,
  limit = 10,
): Promise<LedgerDifference[]> => {
  const units = new Set<string>();
  for (const e of [...(await live.unitEvents()), ...(await replay.unitEvents())])
    units.add(e.data.unitId);
  const out: LedgerDifference[] = [];
  for (const ind of plan.indicators) {
    for (const unitId of [...units].sort()) {
      if (out.length >= limit) return out;
      const scope = `unit:${unitId}` as const;
      const q = { indicators: plan.indicators, indicator: ind.code, scope };
      const [a, b] = [await live.history(q), await replay.history(q)];
      const ka = a.map(rowKey);
      const kb = b.map(rowKey);
      const first = ka.findIndex((k, i) => k !== kb[i]);
      const at =
        first === -1 ? (ka.length === kb.length ? -1 : Math.min(ka.length, kb.length)) : first;
      if (at === -1) continue;
      const pos = a[at]?.position ?? b[at]?.position;
      const pb = b[at]?.position;
      out.push({
        indicator: ind.code,
        scope,
        position:
          (pb !== undefined && pos !== undefined && pb < pos ? pb : pos)?.toString() ?? null,
        live: a.length,
        replay: b.length,
      });
    }
  }
  return out;
};

const faultText = (f: LogFault): string => {
  switch (f.kind) {
    case 'event-changed':
      return `sự kiện ở vị trí ${f.position} đã bị sửa / event at position ${f.position} was changed (leaf ${f.index})`;
    case 'event-deleted':
      return `sự kiện lá ${f.index} đã bị xóa / the event recorded as leaf ${f.index} was deleted${f.nextPosition === null ? '' : ` (position ${f.nextPosition} now in its place)`}`;
    case 'events-reordered':
      return `hai sự kiện bị đổi chỗ / events at positions ${f.positions[0]} and ${f.positions[1]} were swapped (leaves ${f.index}, ${f.index + 1})`;
    case 'position-not-increasing':
      return `vị trí không tăng / position ${f.position} follows ${f.previous}`;
    case 'log-truncated':
      return `nhật ký bị cắt / log truncated: ${f.logSize} events, but "${f.label}" signed ${f.checkpointSize}`;
    case 'changed-between':
      return `có sự kiện bị sửa trong khoảng / an event changed between positions ${f.firstPosition ?? '?'} and ${f.lastPosition ?? '?'} (leaves ${f.fromIndex}..${f.toIndex - 1}, "${f.label}")`;
    default:
      // A new fault kind fails to compile here.
      return f satisfies never;
  }
};

interface ReportCheck {
  readonly eventId: string;
  readonly position: string;
  readonly unitId: string;
  readonly year: number;
  readonly asOf: string;
  readonly matchesAtSubmission: boolean;
  readonly atSubmission: readonly {
    indicator: string;
    submitted: SubmittedValue | null;
    recomputed: SubmittedValue | null;
  }[];
  readonly correctionsSince: readonly {
    indicator: string;
    submitted: { numerator: number; denominator: number };
    now: { numerator: number; denominator: number };
    events: readonly {
      position: string;
      eventId: string;
      teacherId: string;
      validFrom: string;
      dNumerator: number;
      dDenominator: number;
    }[];
  }[];
}

const same = (a: SubmittedValue | undefined, b: SubmittedValue | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.numerator === b.numerator &&
  a.denominator === b.denominator;

const checkReport = async (
  replay: ReadModelQueries,
  plan: Plan,
  r: ReportEvent,
): Promise<ReportCheck> => {
  const { unitId, asOf, values } = r.data;
  const atSubmission = await unitIndicatorValues(replay, plan, unitId, asOf, r.position - 1n);
  const now = await unitIndicatorValues(replay, plan, unitId, asOf);
  const codes = [
    ...new Set([...values.map((v) => v.indicator), ...atSubmission.map((v) => v.indicator)]),
  ];
  const diffs = codes
    .map((indicator) => ({
      indicator,
      submitted: values.find((v) => v.indicator === indicator),
      recomputed: atSubmission.find((v) => v.indicator === indicator),
    }))
    .filter((d) => !same(d.submitted, d.recomputed));
  const correctionsSince = [];
  for (const v of values) {
    const n = now.find((x) => x.indicator === v.indicator);
    if (n === undefined || same(v, n)) continue;
    const rows = await replay.history({
      indicators: plan.indicators,
      indicator: v.indicator,
      scope: `unit:${unitId}`,
      asOf,
    });
    correctionsSince.push({
      indicator: v.indicator,
      submitted: { numerator: v.numerator, denominator: v.denominator },
      now: { numerator: n.numerator, denominator: n.denominator },
      events: rows
        .filter((h) => h.position > r.position)
        .map((h) => ({
          position: h.position.toString(),
          eventId: h.eventId,
          teacherId: h.teacherId,
          validFrom: h.validFrom,
          dNumerator: h.dNumerator,
          dDenominator: h.dDenominator,
        })),
    });
  }
  return {
    eventId: r.id,
    position: r.position.toString(),
    unitId,
    year: r.data.year,
    asOf,
    matchesAtSubmission: diffs.length === 0,
    atSubmission: diffs.map((d) => ({
      indicator: d.indicator,
      submitted: d.submitted ?? null,
      recomputed: d.recomputed ?? null,
    })),
    correctionsSince,
  };
};

/** `--witness FILE|KEY`, each a witness's verifier key (type 0x04) or a file holding one. */
const witnessKeysOption = (value: unknown): string[] =>
  (Array.isArray(value) ? (value as string[]) : []).map((v) => {
    const text = existsSync(v) ? readFileSync(v, 'utf8').trim() : v.trim();
    try {
      parseCosignatureVerifier(text);
    } catch (e) {
      throw usageError(`--witness ${v}: ${(e as Error).message}`);
    }
    return text;
  });

const requiredOption = (value: unknown, keys: number): number => {
  if (value === undefined) return keys;
  const n = Number(value);
  if (typeof value !== 'string' || !/^[0-9]+$/.test(value) || n < 1 || n > keys)
    throw usageError(
      `--witnesses-required: a whole number from 1 to the ${keys} --witness keys given`,
    );
  return n;
};

interface WitnessCheck {
  readonly ok: boolean;
  readonly required: number;
  readonly witnesses: readonly string[];
  /** The checkpoint the recomputed log is trusted up to, and who cosigned it. */
  readonly checkpoint: string | null;
  readonly size: number | null;
  readonly cosignedBy: readonly string[];
  /**
   * Checkpoints a witness cosigned whose tree the log does not extend: the
   * first tree size that differs is `firstInconsistentSize` when a fault was
   * located, else somewhere in `between`.
   */
  readonly inconsistent: readonly {
    label: string;
    size: number;
    witnesses: readonly string[];
    firstInconsistentSize: number | null;
    between: readonly [number, number];
  }[];
}

/** The first leaf index a located fault names, if any. */
const firstFaultIndex = (faults: readonly LogFault[]): number | null => {
  const at = faults.flatMap((f) =>
    f.kind === 'event-changed' || f.kind === 'event-deleted' || f.kind === 'events-reordered'
      ? [f.index]
      : [],
  );
  return at.length === 0 ? null : Math.min(...at);
};

/**
 * The witnesses' part: the largest checkpoint the log matches must carry
 * `required` valid cosignatures of the given keys, and no checkpoint a witness
 * cosigned may hold a tree the log does not extend.
 */
const checkWitnesses = (
  tree: LogVerificationReport,
  sources: readonly CheckpointSource[],
  keys: readonly string[],
  required: number,
): WitnessCheck => {
  const noteOf = new Map(sources.map((s) => [s.label, s.note]));
  const matched = tree.checkpoints
    .filter((c) => c.status === 'ok' && c.checkpoint !== undefined)
    .sort((a, b) => (b.checkpoint?.size ?? 0) - (a.checkpoint?.size ?? 0));
  const reference = matched[0];
  const cosignedBy =
    reference === undefined
      ? []
      : verifyCosignatures(noteOf.get(reference.label) ?? '', keys).map((c) => c.witness);
  const first = firstFaultIndex(tree.faults);
  const inconsistent = tree.checkpoints.flatMap((c) => {
    if (c.checkpoint === undefined || c.status === 'ok') return [];
    const witnesses = verifyCosignatures(noteOf.get(c.label) ?? '', keys).map((w) => w.witness);
    if (witnesses.length === 0) return [];
    const size = c.checkpoint.size;
    const below = matched.map((m) => m.checkpoint?.size ?? 0).filter((m) => m < size);
    const from = Math.max(0, ...below) + 1;
    return [
      {
        label: c.label,
        size,
        witnesses,
        firstInconsistentSize: first !== null && first < size ? first + 1 : null,
        between: [from, size] as const,
      },
    ];
  });
  return {
    ok: cosignedBy.length >= required && inconsistent.length === 0,
    required,
    witnesses: keys.map((k) => parseCosignatureVerifier(k).name),
    checkpoint: reference?.label ?? null,
    size: reference?.checkpoint?.size ?? null,
    cosignedBy,
    inconsistent,
  };
};

export const verifyCommand: Command = {
  name: 'verify',
  usage:
    'verify [--bundle DIR | --from URL --auditor-key KEY] [--checkpoint FILE] [--public-key FILE] [--witness KEY --witnesses-required K] [--allow-unsigned-tail] [--workers N] [--format text|json]',
  options: {
    ...dataOptions,
    checkpoint: { type: 'string', multiple: true },
    'public-key': { type: 'string' },
    bundle: { type: 'string' },
    from: { type: 'string' },
    'auditor-key': { type: 'string' },
    'earlier-bundle': { type: 'string' },
    'allow-unsigned-tail': { type: 'boolean' },
    witness: { type: 'string', multiple: true },
    'witnesses-required': { type: 'string' },
    workers: { type: 'string' },
    format: { type: 'string' },
    plan: { type: 'string' },
  },
  help: `Replays the event store itself (never the bus) and checks three things:
  1. replay: the whole log projected into a fresh temporary ledger has the same
     digest as the live read model; if not, names the first indicator and unit
     whose ledger rows differ and the position of the first differing row;
  2. log: the Merkle tree recomputed from the log matches every signed
     checkpoint (those saved in DIR/audit.sqlite, those embedded in submitted
     reports, and each --checkpoint FILE), checked with the public key; a
     mismatch is traced to the exact position changed, deleted, swapped or cut
     off, using the leaf table recorded as events were appended. Events after
     the latest matching checkpoint are covered by no signature: that fails
     unless --allow-unsigned-tail (an operator who just imported and has not yet
     run \`nhagiao audit checkpoint\`);
  3. reports: every AnnualReportSubmitted recomputed as known just before it was
     recorded must equal what was submitted; recomputed as known now, each
     figure that has moved since is listed with the events that moved it
     (corrections are reported, not failures).

  --witness FILE|KEY  a witness's verifier key (repeatable): the largest
                      checkpoint the log matches must carry valid C2SP
                      cosignatures of --witnesses-required K of them (default:
                      all), and a checkpoint a witness cosigned whose tree the log
                      does not extend fails, naming the first inconsistent tree
                      size (exactly when the changed event is located, else the
                      span it lies in)
  --witnesses-required K
  --bundle DIR        verify an exported bundle (\`nhagiao export\`) instead of the
                      operator's store, with nothing of the operator's: the files
                      against the manifest's SHA-256, the events replayed into a
                      fresh ledger (its digest against the operator's, when the
                      bundle gives one), the tree recomputed from the events and
                      compared leaf by leaf with the bundle's leaves, every
                      checkpoint and cosignature, every submitted report; the
                      public key is the bundle's unless --public-key FILE
  --from URL          the same over HTTP, from a served log (http://HOST:PORT, or
                      its /v1/log): its checkpoint, every event it covers and the
                      salts (with --auditor-key KEY, an auditor API key) and the
                      leaves from the C2SP entry bundles, checked against
                      --public-key FILE (required: not the server's key). Only
                      the latest checkpoint; no operator digest to compare.
  --earlier-bundle DIR  a bundle exported earlier: its checkpoints (with their
                      cosignatures) are checked too, and its leaves stand in for
                      the operator's leaf table, so an event changed since it
                      was exported is named exactly (and with --witness, the
                      first inconsistent tree size)
  --checkpoint FILE   also check a checkpoint the auditor kept (repeatable): its
                      signature, its root against the recomputed log, and an
                      RFC 6962 consistency proof from it to the largest
                      checkpoint the log matches, checked against the two
                      signed roots alone
  --public-key FILE   the log's public key (default DIR/audit-public.key)
  --format F          text (default, Vietnamese and English) or json
  --workers N         processes the replay runs in while this one hashes the tree
                      (default: one per core but one, at least one, when the log
                      holds 100,000 events or more; otherwise one pass here)

Exit codes: 0 everything holds; 3 something does not (details printed);
1 verification could not run (missing key, unreadable store); 64 usage.
${dataOptionsHelp}`,
  async run(ctx) {
    const format = formatOption(ctx.values.format, ['text', 'json'] as const, 'text');
    const plan = planOf(ctx.values.plan);
    const from = typeof ctx.values.from === 'string' ? ctx.values.from : undefined;
    let fetched: string | undefined;
    if (from !== undefined) {
      if (
        typeof ctx.values['auditor-key'] !== 'string' ||
        typeof ctx.values['public-key'] !== 'string'
      )
        throw usageError(
          '--from URL needs --auditor-key KEY (an auditor API key) and --public-key FILE (the log key you were given)',
        );
      fetched = mkdtempSync(path.join(tmpdir(), 'nhagiao-from-'));
      try {
        await downloadBundle(from, ctx.values['auditor-key'], fetched);
      } catch (e) {
        rmSync(fetched, { recursive: true, force: true });
        throw e;
      }
    }
    const bundle =
      fetched ?? (typeof ctx.values.bundle === 'string' ? ctx.values.bundle : undefined);
    let config = dataConfig(ctx.values, ctx.env);
    // A bundle is checked with nothing of the operator's: its events in a fresh
    // store at their own positions, its leaves as the recorded leaves, its
    // checkpoints as the saved ones; no live ledger (its digest, if the
    // operator gave one, is compared instead).
    let bundleDir: string | undefined;
    let manifest: BundleManifest | undefined;
    if (bundle !== undefined) {
      bundleDir = mkdtempSync(path.join(tmpdir(), 'nhagiao-bundle-'));
      try {
        manifest = await materializeBundle(bundle, bundleDir);
      } catch (e) {
        rmSync(bundleDir, { recursive: true, force: true });
        throw e;
      }
      config = {
        ...config,
        dataDir: bundleDir,
        store: { kind: 'sqlite', path: path.join(bundleDir, 'events.sqlite') },
        readModel: { kind: 'sqlite', path: path.join(bundleDir, 'readmodel.sqlite') },
      };
    }
    const keyFile =
      typeof ctx.values['public-key'] === 'string'
        ? ctx.values['public-key']
        : bundle === undefined
          ? undefined
          : path.join(bundle, 'keys/log.vkey');
    const publicKey = readPublicKey(config, keyFile);
    if (bundle !== undefined && typeof ctx.values['public-key'] !== 'string')
      ctx.stderr.write(
        `khóa công khai lấy từ gói / public key taken from the bundle (${keyFile}): check it is the one you were given, or pass --public-key\n`,
      );
    const earlier =
      typeof ctx.values['earlier-bundle'] === 'string'
        ? readEarlierBundle(ctx.values['earlier-bundle'])
        : undefined;
    const witnessKeys = witnessKeysOption(ctx.values.witness);
    const required = requiredOption(ctx.values['witnesses-required'], witnessKeys.length);
    const given = (Array.isArray(ctx.values.checkpoint) ? ctx.values.checkpoint : []).map(
      (file): CheckpointSource => ({ label: file, note: readFileSync(file, 'utf8') }),
    );
    const live = bundle === undefined ? await readModelForQuery(config, plan) : null;
    const givenDigest = manifest?.ledgerDigest ?? 'none given';
    const store = await openStore(config, { readOnly: true });
    const auditFile = auditFiles(config).audit;
    let audit: SqliteAuditStore | undefined;
    const tmp = mkdtempSync(path.join(tmpdir(), 'nhagiao-verify-'));
    const replay = await openSqliteReadModel(path.join(tmp, 'replay.sqlite'));
    try {
      // 1. The log is hashed into the Merkle tree and replayed into a fresh ledger
      // (in worker processes while this one hashes, or in one pass); the submitted
      // reports are collected on the way. Both stop at the head as it is now.
      const reports: ReportEvent[] = [];
      // The salts of personal data are read from the audit file as the log is
      // hashed (a leaf commits to the data through them); its recorded leaves
      // are read only if a fault must be located.
      if (existsSync(auditFile)) audit = SqliteAuditStore.open(auditFile, { readOnly: true });
      const log = new LogTree(audit?.salts);
      const take = (e: RecordedEvent): void => {
        log.add(e);
        if (e.type === 'AnnualReportSubmitted') reports.push(e);
      };
      const head = (await store.head()) ?? 0n;
      const parallel = { ...workersOption(ctx.values.workers), besideThisThread: true };
      // The replayed ledger is compared and thrown away: no states; its index is
      // built below only if a report or a difference needs the ledger by key.
      const replayOptions = { store, readModel: replay, indicators: plan.indicators, until: head };
      const planned = await planReplay({
        store,
        readModel: replay,
        until: head,
        byTeacher: parallel,
      });
      const started = performance.now();
      let hashMs = 0;
      let replayMs = 0;
      let replayed: ReplayResult;
      let liveDigest: string;
      let replayDigest: string;
      if (planned.kind === 'parallel') {
        await prepareParallelReplay();
        // Both ledgers' digests in worker processes too, the live one from the
        // start and the replayed one as soon as the replay ends, while this
        // process is still hashing: it would otherwise compute them one after
        // the other once done.
        const digestOf = (readModel: ReadModelQueries): Promise<string> =>
          readModel.location.kind === 'sqlite' ? digestInWorker(readModel) : readModel.digest();
        // If this process's part fails, the replay is stopped and waited for, so
        // no worker still writes into the temporary ledger once it is removed.
        const stop = new AbortController();
        const stopping = (error: unknown): never => {
          stop.abort();
          throw error;
        };
        const [liveOutcome, replayOutcome, hashOutcome] = await Promise.allSettled([
          (live === null ? Promise.resolve(givenDigest) : digestOf(live)).catch(stopping),
          replayForVerify({ ...replayOptions, plan: planned, signal: stop.signal }).then(
            async (result) => {
              replayMs = performance.now() - started;
              // A stopped replay leaves an unfinished ledger: nothing to digest.
              if (stop.signal.aborted) throw new Error('replay stopped');
              return { result, digest: await digestOf(replay) };
            },
          ),
          (async () => {
            for await (const page of logPages(store, { until: head }, 5000)) {
              for (const e of page) take(e);
              // Lets the replay's messages (progress, write turns) through between pages.
              await new Promise((resolve) => setImmediate(resolve));
            }
            hashMs = performance.now() - started;
          })().catch(stopping),
        ]);
        // What failed first is reported, not the replay it stopped.
        if (hashOutcome.status === 'rejected') throw hashOutcome.reason;
        if (liveOutcome.status === 'rejected') throw liveOutcome.reason;
        if (replayOutcome.status === 'rejected') throw replayOutcome.reason;
        replayed = replayOutcome.value.result;
        replayDigest = replayOutcome.value.digest;
        liveDigest = liveOutcome.value;
      } else {
        // One pass: the replay in position order, each event hashed as it is read.
        replayed = await replayForVerify({
          ...replayOptions,
          plan: {
            kind: 'position-order',
            onEvent: (e) => {
              const t = performance.now();
              take(e);
              hashMs += performance.now() - t;
            },
          },
        });
        replayMs = performance.now() - started - hashMs;
        liveDigest = live === null ? givenDigest : await live.digest();
        replayDigest = await replay.digest();
      }
      if (reports.length > 0 || liveDigest !== replayDigest) await replay.buildIndexes();
      const differences =
        liveDigest === replayDigest || live === null
          ? []
          : await locateDifferences(live, replay, plan);

      // 2. The Merkle tree against every checkpoint.
      const saved: CheckpointSource[] = (audit?.checkpoints() ?? []).map((c) => ({
        label: `saved #${c.id} (${c.reason}, ${c.savedAt})`,
        note: c.note + (audit?.cosignatureLines(c.id) ?? ''),
      }));
      const embedded: CheckpointSource[] = reports.flatMap((r) =>
        r.data.checkpoint === undefined
          ? []
          : [
              {
                label: `report ${r.data.unitId}/${r.data.year} @${r.position}`,
                note: r.data.checkpoint,
              },
            ],
      );
      const t1 = performance.now();
      const tree: LogVerificationReport = verifyLogTree(
        log,
        [...saved, ...embedded, ...given, ...(earlier?.checkpoints ?? [])],
        {
          publicKey,
          ...(earlier !== undefined
            ? { recordedLeaves: earlier.leaves }
            : audit === undefined
              ? {}
              : { recordedLeaves: audit.leaves }),
        },
      );
      // The tree's share of the pass (hashing) plus the checks against the checkpoints.
      const treeMs = hashMs + (performance.now() - t1);
      const unsigned = tree.logSize - tree.coveredSize;
      const unsignedTail =
        unsigned > 0
          ? {
              events: unsigned,
              firstPosition: log.positions.at(tree.coveredSize)?.toString() ?? null,
            }
          : null;
      const tailOk = unsignedTail === null || ctx.values['allow-unsigned-tail'] === true;

      // 3. Submitted reports, recomputed from the fresh ledger.
      const checks: ReportCheck[] = [];
      for (const r of reports) checks.push(await checkReport(replay, plan, r));

      // A bundle without the operator's digest has no ledger to compare: its figures are checked through its reports.
      const replayOk =
        liveDigest === replayDigest || (live === null && manifest?.ledgerDigest === null);
      const sources = [...saved, ...embedded, ...given, ...(earlier?.checkpoints ?? [])];
      const witnessCheck =
        witnessKeys.length === 0 ? null : checkWitnesses(tree, sources, witnessKeys, required);
      const logOk = tree.ok && tailOk && (witnessCheck?.ok ?? true);
      const reportsOk = checks.every((c) => c.matchesAtSubmission);
      const ok = replayOk && logOk && reportsOk;
      const result = {
        ok,
        replay: {
          ok: replayOk,
          events: replayed.applied,
          // In one pass, the replay's share of it (the tree's share is under log).
          ms: Math.round(replayMs),
          liveDigest,
          replayDigest,
          differences,
        },
        log: {
          ok: logOk,
          ms: Math.round(treeMs),
          logSize: tree.logSize,
          logRoot: tree.logRoot,
          coveredSize: tree.coveredSize,
          unsignedTail,
          checkpoints: tree.checkpoints.map((c) => ({
            label: c.label,
            status: c.status,
            message: c.message,
            size: c.checkpoint?.size ?? null,
            consistency: c.consistency ?? null,
          })),
          faults: tree.faults.map((f) => ({ ...f, text: faultText(f) })),
          faultsOmitted: tree.faultsOmitted,
          witnesses: witnessCheck,
        },
        reports: { ok: reportsOk, checked: checks },
      };
      if (format === 'json') ctx.stdout.write(`${toJson(result)}\n`);
      else ctx.stdout.write(renderText(result));
      return ok ? 0 : EXIT_VERIFY_FAILED;
    } finally {
      await replay.close();
      rmSync(tmp, { recursive: true, force: true });
      audit?.close();
      await store.close();
      await live?.close();
      if (bundleDir !== undefined) rmSync(bundleDir, { recursive: true, force: true });
      if (fetched !== undefined) rmSync(fetched, { recursive: true, force: true });
    }
  },
};

type VerifyResult = {
  ok: boolean;
  replay: {
    ok: boolean;
    events: number;
    liveDigest: string;
    replayDigest: string;
    differences: LedgerDifference[];
  };
  log: {
    ok: boolean;
    logSize: number;
    coveredSize: number;
    logRoot: string;
    unsignedTail: { events: number; firstPosition: string | null } | null;
    checkpoints: {
      label: string;
      status: string;
      message: string;
      consistency: {
        with: string;
        size: number;
        proofHashes: number;
        consistent: boolean;
      } | null;
    }[];
    faults: { text: string }[];
    faultsOmitted: number;
    witnesses: WitnessCheck | null;
  };
  reports: { ok: boolean; checked: ReportCheck[] };
};

const mark = (ok: boolean): string => (ok ? 'ĐẠT / OK  ' : 'LỖI / FAIL');

const renderText = (r: VerifyResult): string => {
  const out: string[] = [];
  out.push(`1. ${mark(r.replay.ok)}  Phát lại / replay: ${r.replay.events} events`);
  out.push(`   live digest   ${r.replay.liveDigest}`, `   replay digest ${r.replay.replayDigest}`);
  for (const d of r.replay.differences)
    out.push(
      `   khác nhau / differs: ${d.indicator} ${d.scope}, from position ${d.position ?? '?'} (live ${d.live} rows, replay ${d.replay})`,
    );
  out.push(
    `2. ${mark(r.log.ok)}  Nhật ký / log: ${r.log.logSize} events, root ${r.log.logRoot}, signed up to ${r.log.coveredSize}`,
  );
  for (const c of r.log.checkpoints) {
    out.push(`   [${c.status}] ${c.label}: ${c.message}`);
    const k = c.consistency;
    if (k !== null)
      out.push(
        k.consistent
          ? `     nhất quán / consistent with ${k.with} (${k.size} events): proof of ${k.proofHashes} hashes checks against both roots`
          : `     KHÔNG nhất quán / NOT consistent with ${k.with} (${k.size} events): the later tree does not extend this one`,
      );
  }
  for (const f of r.log.faults) out.push(`   ! ${f.text}`);
  if (r.log.faultsOmitted > 0) out.push(`   … ${r.log.faultsOmitted} more`);
  const w = r.log.witnesses;
  if (w !== null) {
    out.push(
      `   nhân chứng / witnesses: ${w.checkpoint === null ? 'no checkpoint matches the log' : `${w.checkpoint} (${w.size} events)`} cosigned by ${w.cosignedBy.length} of the ${w.required} required${w.cosignedBy.length > 0 ? ` (${w.cosignedBy.join(', ')})` : ''}${w.cosignedBy.length >= w.required ? '' : ': NOT ENOUGH'}`,
    );
    for (const i of w.inconsistent)
      out.push(
        `   ! cây đã được nhân chứng ký KHÔNG nhất quán / the tree of ${i.size} events cosigned by ${i.witnesses.join(', ')} ("${i.label}") is not a prefix of the log: ` +
          (i.firstInconsistentSize !== null
            ? `first inconsistent tree size ${i.firstInconsistentSize}`
            : `first inconsistent tree size between ${i.between[0]} and ${i.between[1]}`),
      );
  }
  if (r.log.unsignedTail !== null)
    out.push(
      `   ${r.log.unsignedTail.events} sự kiện chưa được ký / events not covered by any checkpoint, from position ${r.log.unsignedTail.firstPosition ?? '?'}: the operator signs them with \`nhagiao audit checkpoint\` (after \`nhagiao signing init\` once); --allow-unsigned-tail accepts them`,
    );
  out.push(
    `3. ${mark(r.reports.ok)}  Báo cáo đã nộp / submitted reports: ${r.reports.checked.length}`,
  );
  for (const c of r.reports.checked) {
    out.push(
      `   ${c.unitId} ${c.year} (as of ${c.asOf}, position ${c.position}): ${c.matchesAtSubmission ? 'khớp khi nộp / matches as known at submission' : 'KHÔNG KHỚP khi nộp / DOES NOT MATCH as known at submission'}`,
    );
    for (const d of c.atSubmission)
      out.push(
        `     ${d.indicator}: submitted ${d.submitted ? `${d.submitted.numerator}/${d.submitted.denominator}` : '—'}, recomputed ${d.recomputed ? `${d.recomputed.numerator}/${d.recomputed.denominator}` : '—'}`,
      );
    for (const k of c.correctionsSince) {
      out.push(
        `     đã điều chỉnh / corrected since: ${k.indicator} ${k.submitted.numerator}/${k.submitted.denominator} → ${k.now.numerator}/${k.now.denominator}`,
      );
      for (const e of k.events)
        out.push(
          `       position ${e.position} event ${e.eventId} (${e.teacherId}, valid from ${e.validFrom}) Δ ${e.dNumerator}/${e.dDenominator}`,
        );
    }
  }
  out.push(
    r.ok
      ? 'Kết quả / result: mọi kiểm tra đều đạt / everything holds'
      : 'Kết quả / result: CÓ LỖI / something does not hold',
  );
  return `${out.join('\n')}\n`;
};
