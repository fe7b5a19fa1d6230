import Database from 'better-sqlite3';
import { parseCheckpointText } from './checkpoint.js';
import { type Cosigner, parseCosignatureVerifier, verifyCosignatures } from './cosignature.js';
import { EMPTY_ROOT, HASH_SIZE, sha256 } from './hash.js';
import type { MerkleTree } from './merkle-tree.js';
import { checkNote, parseNote } from './signed-note.js';
import { type Verifier, parseVerifierKey } from './signing-key.js';
import type { SqliteAuditStore } from './sqlite-audit-store.js';
import { verifyConsistency } from './verify.js';

/** An HTTP answer of the witness, as C2SP tlog-witness specifies it. */
export interface WitnessAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

const text = (status: number, body: string): WitnessAnswer => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: body.endsWith('\n') ? body : `${body}\n`,
});

const SCHEMA = `
CREATE TABLE IF NOT EXISTS logs (
  origin     TEXT PRIMARY KEY,
  size       INTEGER NOT NULL,
  root       BLOB    NOT NULL,
  note       TEXT    NOT NULL,
  updated_at TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS refusals (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  origin   TEXT    NOT NULL,
  status   INTEGER NOT NULL,
  reason   TEXT    NOT NULL,
  request  TEXT    NOT NULL,
  at       TEXT    NOT NULL
);
`;

const MAX_PROOF = 63;

/** Reads an add-checkpoint body: `old N`, proof lines, a blank line, the checkpoint. */
const parseRequest = (
  body: string,
): { old: number; proof: Buffer[]; note: string } | { message: string } => {
  const blank = body.indexOf('\n\n');
  if (blank < 0)
    return { message: 'expected the old size and proof lines, a blank line, then the checkpoint' };
  const head = body.slice(0, blank).split('\n');
  const m = /^old (0|[1-9][0-9]*)$/.exec(head[0] ?? '');
  if (m === null || !Number.isSafeInteger(Number(m[1])))
    return { message: 'the first line must be "old <size>"' };
  const lines = head.slice(1);
  if (lines.length > MAX_PROOF) return { message: `more than ${MAX_PROOF} proof lines` };
  const proof: Buffer[] = [];
  for (const l of lines) {
    const h = Buffer.from(l, 'base64');
    if (h.length !== HASH_SIZE || h.toString('base64') !== l)
      return { message: `proof line "${l}" is not base64 of 32 bytes` };
    proof.push(h);
  }
  return { old: Number(m[1]), proof, note: body.slice(blank + 2) };
};

/**
 * A witness (C2SP tlog-witness): it cosigns a log's checkpoint only when it is
 * consistent with the last one it cosigned for that origin, proven by the
 * RFC 6962 consistency proof the log sends, and keeps that state in one SQLite
 * file. Check and update happen in one write transaction, so two requests
 * cannot both move the state from the same size (the spec's rollback race).
 */
export class Witness {
  readonly #db: Database.Database;
  readonly #cosigner: Cosigner;
  readonly #logs: Map<string, Verifier[]>;

  private constructor(db: Database.Database, cosigner: Cosigner, logs: Map<string, Verifier[]>) {
    this.#db = db;
    this.#cosigner = cosigner;
    this.#logs = logs;
  }

  /** `logKeys`: the logs' verifier keys; a log is known by its key's name, which is its origin. */
  static open(file: string, cosigner: Cosigner, logKeys: readonly string[]): Witness {
    const logs = new Map<string, Verifier[]>();
    for (const k of logKeys) {
      const v = parseVerifierKey(k);
      logs.set(v.name, [...(logs.get(v.name) ?? []), v]);
    }
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
    return new Witness(db, cosigner, logs);
  }

  get name(): string {
    return this.#cosigner.name;
  }

  #refuse(
    origin: string,
    status: number,
    reason: string,
    request: string,
    now: Date,
  ): WitnessAnswer {
    this.#db
      .prepare('INSERT INTO refusals (origin, status, reason, request, at) VALUES (?, ?, ?, ?, ?)')
      .run(origin, status, reason, request, now.toISOString());
    return text(status, reason);
  }

  /** POST add-checkpoint. */
  addCheckpoint(body: string, now: Date): WitnessAnswer {
    const request = parseRequest(body);
    if ('message' in request) return text(400, request.message);
    const parsed = parseNote(request.note);
    const checkpoint = parsed === null ? null : parseCheckpointText(parsed.text);
    if (parsed === null || checkpoint === null || !checkpoint.ok)
      return text(400, 'the checkpoint is not a signed note with origin, size and root lines');
    const c = checkpoint.checkpoint;
    const keys = this.#logs.get(c.origin);
    if (keys === undefined) return text(404, `unknown log ${c.origin}`);
    const checks = keys.map((k) => checkNote(parsed, k));
    if (checks.includes('bad-signature') || !checks.includes('verified'))
      return text(403, 'no valid signature of the log’s key');
    if (request.old > c.size)
      return text(400, `old size ${request.old} is larger than the checkpoint's ${c.size}`);
    if (c.size === 0 && !c.rootHash.equals(EMPTY_ROOT))
      return this.#refuse(c.origin, 422, 'a tree of size 0 has the empty root', body, now);

    const answer = this.#db
      .transaction((): WitnessAnswer => {
        const stored = this.#db
          .prepare('SELECT size, root FROM logs WHERE origin = ?')
          .get(c.origin) as { size: number; root: Buffer } | undefined;
        const size = stored?.size ?? 0;
        if (request.old !== size)
          return { status: 409, contentType: 'text/x.tlog.size', body: `${size}\n` };
        if (request.old === 0 && request.proof.length > 0)
          return this.#refuse(c.origin, 422, 'no proof is sent from size 0', body, now);
        if (
          request.old > 0 &&
          !verifyConsistency(
            request.old,
            c.size,
            stored?.root ?? EMPTY_ROOT,
            c.rootHash,
            request.proof,
          )
        )
          return this.#refuse(
            c.origin,
            422,
            `the tree of ${c.size} is not consistent with the tree of ${request.old} cosigned before`,
            body,
            now,
          );
        const line = this.#cosigner.cosign(parsed.text, Math.floor(now.getTime() / 1000));
        this.#db
          .prepare(
            `INSERT INTO logs (origin, size, root, note, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root,
             note = excluded.note, updated_at = excluded.updated_at`,
          )
          .run(c.origin, c.size, c.rootHash, request.note + line, now.toISOString());
        return { status: 200, contentType: 'text/plain; charset=utf-8', body: line };
      })
      .immediate();
    return answer;
  }

  /** GET <origin hash>/checkpoint: the latest checkpoint cosigned for a log, with the log's and this witness's signatures. */
  latest(originHashHex: string): WitnessAnswer {
    for (const origin of this.#logs.keys()) {
      if (sha256(Buffer.from(origin, 'utf8')).toString('hex') !== originHashHex) continue;
      const row = this.#db.prepare('SELECT note FROM logs WHERE origin = ?').pluck().get(origin) as
        string | undefined;
      if (row !== undefined) return text(200, row);
    }
    return text(404, 'no checkpoint cosigned for that log');
  }

  /** Refused requests, kept as evidence of a log's misbehaviour. */
  refusals(): { origin: string; status: number; reason: string; at: string }[] {
    return this.#db
      .prepare('SELECT origin, status, reason, at FROM refusals ORDER BY id')
      .all() as { origin: string; status: number; reason: string; at: string }[];
  }

  close(): void {
    this.#db.close();
  }
}

/** A witness a log sends its checkpoints to: its verifier key and its submission URL prefix. */
export interface WitnessEndpoint {
  readonly key: string;
  readonly url: string;
}

export type WitnessOutcome =
  | { readonly witness: string; readonly ok: true; readonly line: string; readonly old: number }
  | {
      readonly witness: string;
      readonly ok: false;
      readonly status: number;
      readonly message: string;
    };

/**
 * Sends a saved checkpoint to a witness by add-checkpoint, with the
 * consistency proof from the size that witness last cosigned (remembered in the
 * audit file; on a 409 the witness's own size is used once), checks the
 * cosignature it returns and keeps it beside the checkpoint.
 */
export const sendToWitness = async (
  witness: WitnessEndpoint,
  checkpoint: { readonly id: number; readonly size: number; readonly note: string },
  tree: MerkleTree,
  audit: SqliteAuditStore,
  now: Date,
  post: (url: string, body: string) => Promise<{ status: number; body: string }> = async (
    url,
    body,
  ) => {
    const res = await fetch(url, { method: 'POST', body });
    return { status: res.status, body: await res.text() };
  },
): Promise<WitnessOutcome> => {
  const name = parseCosignatureVerifier(witness.key).name;
  let old = audit.witnessSize(name) ?? 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (old > checkpoint.size || old > tree.size)
      return {
        witness: name,
        ok: false,
        status: 409,
        message: `the witness has cosigned a tree of ${old} events, larger than this one of ${checkpoint.size}: the log was cut or rolled back`,
      };
    const proof = old === 0 ? [] : tree.consistencyProof(old, checkpoint.size);
    const body = `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${checkpoint.note}`;
    let answer: { status: number; body: string };
    try {
      answer = await post(`${witness.url.replace(/\/+$/, '')}/add-checkpoint`, body);
    } catch (e) {
      return { witness: name, ok: false, status: 0, message: (e as Error).message };
    }
    if (answer.status === 409 && /^(0|[1-9][0-9]*)\n$/.test(answer.body) && attempt === 0) {
      old = Number(answer.body.trim());
      continue;
    }
    if (answer.status !== 200)
      return { witness: name, ok: false, status: answer.status, message: answer.body.trim() };
    const [cosignature] = verifyCosignatures(checkpoint.note + answer.body, [witness.key]);
    if (cosignature === undefined)
      return {
        witness: name,
        ok: false,
        status: 200,
        message: 'the answer holds no valid cosignature of the witness key',
      };
    audit.saveCosignature(checkpoint.id, name, cosignature.line, now.toISOString());
    audit.setWitnessSize(name, checkpoint.size);
    return { witness: name, ok: true, line: cosignature.line, old };
  }
  return { witness: name, ok: false, status: 409, message: 'the witness keeps answering 409' };
};
