import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  type Checkpoint,
  type InclusionEvidence,
  InconsistentTreeError,
  LogView,
  LogViewError,
  findLoggedEvent,
  parseCheckpoint,
  sendToWitness,
  verifyCheckpoint,
  verifyConsistency,
} from '@nhagiao/audit';
import { type RecordedEvent, indicatorOf } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { Command, CommandContext } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { CliError, usageError } from '../errors.js';
import { renderTable } from '../format/table.js';
import { formatOption, toJson } from '../options.js';
import {
  dateOption,
  openStore,
  planOf,
  readModelForQuery,
  scopeOption,
  todayInVietnam,
} from '../runtime.js';
import {
  auditFiles,
  openAuditLog,
  readPublicKey,
  readSigningKey,
  readWitnesses,
} from './audit-runtime.js';

/** Exit code when a proof does not verify: the event differs from what was signed. */
export const EXIT_NOT_PROVEN = 3;

const checkpointCmd = async (ctx: CommandContext): Promise<number> => {
  const config = dataConfig(ctx.values, ctx.env);
  const { privateKey, origin } = readSigningKey(config);
  const store = await openStore(config, { readOnly: true });
  const { log, audit } = openAuditLog(config, store);
  try {
    const before = log.size;
    let saved;
    try {
      saved = await log.checkpoint(privateKey, { origin, now: new Date(), reason: 'on-demand' });
    } catch (e) {
      if (e instanceof InconsistentTreeError) throw new CliError(e.message, EXIT_NOT_PROVEN);
      throw e;
    }
    ctx.stderr.write(
      `checkpoint #${saved.id}: ${saved.size} events (${saved.size - before} new since the last sync), signed as ${origin}\n`,
    );
    // Each configured witness is asked to cosign; the note printed carries what they returned.
    let refused = 0;
    for (const w of readWitnesses(config)) {
      const outcome = await sendToWitness(w, saved, log.tree, audit, new Date());
      if (outcome.ok)
        ctx.stderr.write(
          `nhân chứng / witness ${outcome.witness}: cosigned (proof from ${outcome.old})\n`,
        );
      else {
        if (outcome.status >= 400 && outcome.status < 500) refused += 1;
        ctx.stderr.write(
          `nhân chứng / witness ${outcome.witness}: ${outcome.status === 0 ? 'unreachable' : `REFUSED (${outcome.status})`}: ${outcome.message}\n`,
        );
      }
    }
    const note = saved.note + audit.cosignatureLines(saved.id);
    const out = ctx.values.out;
    if (typeof out === 'string') writeFileSync(out, note);
    ctx.stdout.write(note);
    return refused === 0 ? 0 : EXIT_NOT_PROVEN;
  } finally {
    audit.close();
    await store.close();
  }
};

/** An event by the id a ledger row names: the teacher's stream first (any store), then the log. */
const eventOf = async (
  store: EventStore,
  cache: Map<string, RecordedEvent | undefined>,
  id: string,
  teacherId: string,
): Promise<RecordedEvent | undefined> => {
  if (cache.has(id)) return cache.get(id);
  const found =
    (await store.findEvent(`teacher-${teacherId}`, id)) ?? (await findLoggedEvent(store, { id }));
  cache.set(id, found);
  return found;
};

const evidence = (
  prove: (e: RecordedEvent) => InclusionEvidence,
  event: RecordedEvent,
): { inclusion: Omit<InclusionEvidence, 'checkpoint'> | null; problem: string | null } => {
  try {
    const { checkpoint: _signed, ...inclusion } = prove(event);
    return { inclusion, problem: inclusion.verified ? null : 'proof does not verify' };
  } catch (e) {
    if (e instanceof RangeError) return { inclusion: null, problem: e.message };
    throw e;
  }
};

const trailCmd = async (ctx: CommandContext): Promise<number> => {
  const code = ctx.positionals[1];
  if (code === undefined)
    throw usageError('name the indicator: audit trail CODE --scope S --as-of D');
  const plan = planOf(ctx.values.plan);
  indicatorOf(plan, code);
  const scope = scopeOption(ctx.values.scope);
  const asOf = dateOption(ctx.values['as-of'], '--as-of', todayInVietnam);
  const format = formatOption(ctx.values.format, ['text', 'json'] as const, 'text');
  const config = dataConfig(ctx.values, ctx.env);
  const readModel = await readModelForQuery(config, plan);
  const store = await openStore(config, { readOnly: true });
  const { log, audit } = openAuditLog(config, store, { readOnly: true });
  try {
    const latest = log.latestCheckpoint();
    const rows = await readModel.history({
      indicators: plan.indicators,
      indicator: code,
      scope,
      asOf,
    });
    const [figure] = (
      await readModel.figures({
        indicators: plan.indicators,
        asOf,
        by: scope === 'province' ? 'province' : (scope.slice(0, scope.indexOf(':')) as 'unit'),
        indicator: code,
      })
    ).filter((f) => f.scope === scope);
    const cache = new Map<string, RecordedEvent | undefined>();
    const prove = (e: RecordedEvent) => log.prove(e);
    const trail = [];
    let numerator = 0;
    let denominator = 0;
    for (const r of rows) {
      numerator += r.dNumerator;
      denominator += r.dDenominator;
      const event = await eventOf(store, cache, r.eventId, r.teacherId);
      trail.push({
        validFrom: r.validFrom,
        position: r.position.toString(),
        recordedAt: r.recordedAt,
        dNumerator: r.dNumerator,
        dDenominator: r.dDenominator,
        teacherId: r.teacherId,
        unitId: r.unitId,
        eventId: r.eventId,
        event:
          event === undefined ? null : { type: event.type, stream: event.stream, data: event.data },
        ...(event === undefined
          ? { inclusion: null, problem: 'event not found in the log' }
          : evidence(prove, event)),
      });
    }
    const unproven = trail.filter((t) => t.problem !== null).length;
    const result = {
      indicator: code,
      scope,
      asOf,
      numerator,
      denominator,
      figure:
        figure === undefined
          ? null
          : { numerator: figure.numerator, denominator: figure.denominator },
      checkpoint: latest?.saved.note ?? null,
      rows: trail,
    };
    if (format === 'json') ctx.stdout.write(`${toJson(result)}\n`);
    else {
      const cp = latest?.checkpoint;
      ctx.stdout.write(
        `${indicatorOf(plan, code).title.vi} / ${indicatorOf(plan, code).title.en}\n` +
          `${scope}, ${asOf}: ${numerator}/${denominator} = tổng ${rows.length} dòng thay đổi / sum of ${rows.length} ledger rows\n` +
          (cp === undefined
            ? 'chưa có điểm kiểm tra / no checkpoint yet: run `nhagiao audit checkpoint`\n'
            : `điểm kiểm tra / checkpoint: ${cp.origin} size ${cp.size} root ${cp.rootHash.toString('hex')} (${cp.time})\n`) +
          '\n' +
          renderTable(
            [
              'Hiệu lực / valid',
              'Vị trí / pos',
              'Δ tử',
              'Δ mẫu',
              'Nhà giáo / teacher',
              'Sự kiện / event',
              'Chứng minh / proof',
            ],
            trail.map((t) => [
              t.validFrom,
              t.position,
              String(t.dNumerator),
              String(t.dDenominator),
              t.teacherId,
              `${t.event?.type ?? '?'} ${t.eventId}`,
              t.problem ??
                `leaf ${t.inclusion?.index ?? '?'}, ${t.inclusion?.proof.length ?? 0} hashes ✓`,
            ]),
            new Set([1, 2, 3]),
          ) +
          '\n',
      );
    }
    return unproven === 0 ? 0 : EXIT_NOT_PROVEN;
  } finally {
    audit.close();
    await store.close();
    await readModel.close();
  }
};

const proveCmd = async (ctx: CommandContext): Promise<number> => {
  const ref = ctx.positionals[1];
  if (ref === undefined) throw usageError('name the event: audit prove EVENT_ID (or a position)');
  const config = dataConfig(ctx.values, ctx.env);
  const store = await openStore(config, { readOnly: true });
  const { log, audit } = openAuditLog(config, store, { readOnly: true });
  try {
    const event = await findLoggedEvent(
      store,
      /^\d+$/.test(ref) ? { position: BigInt(ref) } : { id: ref },
    );
    if (event === undefined) throw new CliError(`no event ${ref} in the log`);
    let proof: InclusionEvidence;
    try {
      proof = log.prove(event);
    } catch (e) {
      if (e instanceof RangeError) throw new CliError(e.message);
      throw e;
    }
    ctx.stdout.write(`${toJson(proof)}\n`);
    if (!proof.verified) {
      ctx.stderr.write(
        `the event at position ${proof.position} does not hash to the signed leaf ${proof.index}: it was changed after checkpoint ${parseCheckpoint(proof.checkpoint).size}\n`,
      );
    }
    return proof.verified ? 0 : EXIT_NOT_PROVEN;
  } finally {
    audit.close();
    await store.close();
  }
};

/** A checkpoint given as a file or an http(s) URL (a log's `/v1/log/checkpoint`). */
const readCheckpointRef = async (ref: string): Promise<string> => {
  if (/^https?:\/\//.test(ref)) {
    let res: Response;
    try {
      res = await fetch(ref);
    } catch (e) {
      throw new CliError(`${ref}: ${(e as Error).message}`);
    }
    if (!res.ok) throw new CliError(`${ref}: HTTP ${res.status} ${await res.text()}`);
    return res.text();
  }
  if (!existsSync(ref)) throw new CliError(`${ref}: no such file`);
  return readFileSync(ref, 'utf8');
};

/** The log prefix a checkpoint URL implies (`…/v1/log/checkpoint` → `…/v1/log`). */
const prefixOf = (ref: string): string | undefined =>
  /^https?:\/\//.test(ref) && ref.endsWith('/checkpoint')
    ? ref.slice(0, -'/checkpoint'.length)
    : undefined;

interface ConsistencyProofSource {
  readonly from: string;
  proof(m: number, n: number): Promise<Buffer[]>;
}

const remoteProofs = (prefix: string): ConsistencyProofSource => ({
  from: prefix,
  async proof(m, n) {
    const url = `${prefix}/proof/consistency?from=${m}&to=${n}`;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new CliError(`${url}: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) throw new CliError(`${url}: HTTP ${res.status} ${text}`);
    const body = JSON.parse(text) as { proof?: unknown };
    if (!Array.isArray(body.proof) || !body.proof.every((h) => typeof h === 'string'))
      throw new CliError(`${url}: the answer has no proof list`);
    return (body.proof as string[]).map((h) => Buffer.from(h, 'base64'));
  },
});

const consistencyCmd = async (ctx: CommandContext): Promise<number> => {
  const [, oldRef, newRef] = ctx.positionals;
  if (oldRef === undefined || newRef === undefined)
    throw usageError('name two checkpoints: audit consistency OLD NEW (files or URLs)');
  const format = formatOption(ctx.values.format, ['text', 'json'] as const, 'text');
  const config = dataConfig(ctx.values, ctx.env);
  const publicKey = readPublicKey(
    config,
    typeof ctx.values['public-key'] === 'string' ? ctx.values['public-key'] : undefined,
  );
  const open = async (ref: string): Promise<Checkpoint> => {
    const verdict = verifyCheckpoint(await readCheckpointRef(ref), publicKey);
    if (!verdict.ok) throw new CliError(`${ref}: ${verdict.message}`, EXIT_NOT_PROVEN);
    return verdict.checkpoint;
  };
  let [older, newer] = [await open(oldRef), await open(newRef)];
  let swapped = false;
  if (older.size > newer.size) {
    [older, newer] = [newer, older];
    swapped = true;
  }
  const logUrl =
    typeof ctx.values.log === 'string'
      ? ctx.values.log.replace(/\/+$/, '')
      : (prefixOf(newRef) ?? prefixOf(oldRef));
  let source: ConsistencyProofSource;
  let view: LogView | undefined;
  if (older.size === 0 || older.size === newer.size)
    // No proof to fetch: the empty tree is a prefix of every tree; equal sizes need equal roots.
    source = { from: 'no proof needed', proof: async () => [] };
  else if (logUrl !== undefined) source = remoteProofs(logUrl);
  else {
    const file = auditFiles(config).audit;
    if (!existsSync(file))
      throw new CliError(
        `no proof source: give --log URL (a served log) or run where the log's audit file is (${file})`,
      );
    const local = LogView.open(file);
    view = local;
    source = {
      from: file,
      proof: async (m, n) => {
        try {
          return local.consistencyProof(m, n).proof.map((h) => Buffer.from(h, 'base64'));
        } catch (e) {
          if (e instanceof LogViewError) throw new CliError(`${file}: ${e.message}`);
          throw e;
        }
      },
    };
  }
  try {
    const proof = await source.proof(older.size, newer.size);
    const consistent = verifyConsistency(
      older.size,
      newer.size,
      older.rootHash,
      newer.rootHash,
      proof,
    );
    const describe = (c: Checkpoint) => ({
      origin: c.origin,
      size: c.size,
      rootHash: c.rootHash.toString('base64'),
      time: c.time,
    });
    const result = {
      consistent,
      old: describe(older),
      new: describe(newer),
      proof: proof.map((h) => h.toString('base64')),
      proofFrom: source.from,
      swapped,
    };
    if (format === 'json') ctx.stdout.write(`${toJson(result)}\n`);
    else
      ctx.stdout.write(
        `cũ / old  ${older.origin} ${older.size} ${result.old.rootHash} (${older.time})\n` +
          `mới / new ${newer.origin} ${newer.size} ${result.new.rootHash} (${newer.time})\n` +
          (swapped ? '(OLD was the larger tree: compared the other way round)\n' : '') +
          `chứng minh nhất quán / consistency proof: ${proof.length} hashes from ${source.from}\n` +
          (consistent
            ? `ĐẠT / OK: the tree of ${newer.size} extends the tree of ${older.size}\n`
            : `LỖI / FAIL: the tree of ${newer.size} does NOT extend the tree of ${older.size}: history up to ${older.size} was rewritten, or the proof is false\n`),
      );
    return consistent ? 0 : EXIT_NOT_PROVEN;
  } finally {
    view?.close();
  }
};

export const auditCommand: Command = {
  name: 'audit',
  usage:
    'audit checkpoint [--out FILE] | audit trail CODE --scope S --as-of D [--format text|json] | audit prove EVENT_ID|POSITION | audit consistency OLD NEW [--log URL] [--public-key FILE]',
  options: {
    ...dataOptions,
    out: { type: 'string' },
    scope: { type: 'string' },
    'as-of': { type: 'string' },
    format: { type: 'string' },
    plan: { type: 'string' },
    log: { type: 'string' },
    'public-key': { type: 'string' },
  },
  help: `  checkpoint          brings the Merkle tree up to the log's head, proves it
                      consistent with the previous checkpoint (RFC 6962 proof
                      against both roots; signs nothing if it is not), signs the
                      tree head (C2SP tlog-checkpoint, Ed25519) and saves it in
                      DIR/audit.sqlite; prints the signed note (--out FILE: also
                      writes it), then sends it to every witness listed in
                      DIR/audit-witnesses (\`<witness key> <URL>\` a line, C2SP
                      tlog-witness) and keeps their cosignatures beside it: the
                      note printed, and served at /v1/log/checkpoint, carries
                      them. Run it periodically from cron, e.g. hourly:
                        0 * * * *  nhagiao audit checkpoint --data-dir DIR
                      \`report submit\` also makes one at every submission.
  trail CODE          the ledger rows that make the figure of CODE for --scope on
                      --as-of (valid_from ≤ D), each with its event and the
                      inclusion proof of that event in the latest checkpoint (hex),
                      checkable offline with verifyInclusion of @nhagiao/audit
  prove ID|POSITION   the inclusion proof of one event (JSON)
  consistency OLD NEW checks both signed checkpoints (files, or URLs such as
                      https://HOST/v1/log/checkpoint) with the public key, fetches
                      the RFC 6962 consistency proof between their sizes (from
                      --log URL, or the log a checkpoint URL belongs to, or else
                      DIR/audit.sqlite) and checks it against the two roots alone
    --log URL         a served log, e.g. http://127.0.0.1:8423/v1/log
    --public-key FILE the log's verifier key (default DIR/audit-public.key)

Exit codes: 0 every proof verifies; 3 some event is not covered by the latest
checkpoint or no longer hashes to its signed leaf, two checkpoints are not
consistent, a new tree does not extend the last checkpoint, or a witness
refused the new checkpoint; 1 other errors; 64 usage.
${dataOptionsHelp}`,
  async run(ctx) {
    const [sub] = ctx.positionals;
    if (sub === 'checkpoint') return checkpointCmd(ctx);
    if (sub === 'trail') return trailCmd(ctx);
    if (sub === 'prove') return proveCmd(ctx);
    if (sub === 'consistency') return consistencyCmd(ctx);
    throw usageError(
      'expected `audit checkpoint`, `audit trail CODE`, `audit prove EVENT_ID` or `audit consistency OLD NEW`',
    );
  },
};
