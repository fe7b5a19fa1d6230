import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ID_PATTERN, ROLES, type Role } from '@nhagiao/domain';

/** The roles of the authority table (docs/authority.md), one list for keys and writes. */
export { ROLES, type Role };

/** What is known about a key; never its secret. */
export interface ApiKey {
  readonly id: string;
  readonly role: Role;
  /** For an integrator: the units it may write about. */
  readonly units: readonly string[];
  readonly label: string | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface CreateKeyInput {
  readonly role: Role;
  readonly units?: readonly string[];
  readonly label?: string;
}

/** A response remembered under an `Idempotency-Key`, replayed to a retry of the same request. */
export interface StoredResponse {
  readonly requestHash: string;
  readonly status: number;
  readonly body: string;
}

export interface KeyStore {
  /** Creates a key; the secret is returned here once and only its hash is kept. */
  create(input: CreateKeyInput): { readonly id: string; readonly secret: string };
  list(): ApiKey[];
  /** Revokes a key; false when there is no such key or it was already revoked. */
  revoke(id: string): boolean;
  /** The key a secret belongs to, or undefined when unknown or revoked. */
  verify(secret: string): ApiKey | undefined;
  recallResponse(keyId: string, idempotencyKey: string, now?: Date): StoredResponse | undefined;
  rememberResponse(
    keyId: string,
    idempotencyKey: string,
    response: StoredResponse,
    ttlMs: number,
    now?: Date,
  ): void;
  close(): void;
}

const SECRET_PREFIX = 'ngk_';

const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

interface KeyRow {
  id: string;
  role: Role;
  units: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
  hash: Buffer;
}

const toKey = (row: KeyRow): ApiKey => ({
  id: row.id,
  role: row.role,
  units: JSON.parse(row.units) as string[],
  label: row.label,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

/**
 * API keys in a SQLite file, with the responses remembered for idempotent
 * retries. A secret is 32 random bytes, so one SHA-256 of it is enough to store
 * (no salt or slow hash needed: it cannot be guessed from a dictionary).
 */
export const openKeyStore = (file: string): KeyStore => {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    create table if not exists api_keys (
      id text primary key,
      hash blob not null unique,
      role text not null,
      units text not null,
      label text,
      created_at text not null,
      revoked_at text
    );
    create table if not exists idempotency (
      key_id text not null,
      idempotency_key text not null,
      request_hash text not null,
      status integer not null,
      body text not null,
      expires_at integer not null,
      primary key (key_id, idempotency_key)
    );
  `);
  const insert = db.prepare(
    'insert into api_keys (id, hash, role, units, label, created_at) values (?, ?, ?, ?, ?, ?)',
  );
  const byHash = db.prepare<[Buffer], KeyRow>('select * from api_keys where hash = ?');
  const all = db.prepare<[], KeyRow>('select * from api_keys order by created_at, id');
  const revoke = db.prepare(
    'update api_keys set revoked_at = ? where id = ? and revoked_at is null',
  );
  const recall = db.prepare<[string, string, number], StoredResponseRow>(
    'select request_hash, status, body from idempotency where key_id = ? and idempotency_key = ? and expires_at > ?',
  );
  const remember = db.prepare(
    `insert into idempotency (key_id, idempotency_key, request_hash, status, body, expires_at)
     values (?, ?, ?, ?, ?, ?)
     on conflict (key_id, idempotency_key) do update set
       request_hash = excluded.request_hash, status = excluded.status,
       body = excluded.body, expires_at = excluded.expires_at`,
  );
  const purge = db.prepare('delete from idempotency where expires_at <= ?');

  return {
    create({ role, units = [], label }) {
      if (!ROLES.includes(role))
        throw new Error(`unknown role ${String(role)}: one of ${ROLES.join(', ')}`);
      const bad = units.find((u) => !ID_PATTERN.test(u));
      if (bad !== undefined) throw new Error(`${JSON.stringify(bad)} is not a unit id`);
      if (role === 'integrator' && units.length === 0) {
        throw new Error('an integrator key needs at least one unit (--units)');
      }
      const id = randomUUID();
      const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
      insert.run(
        id,
        hashSecret(secret),
        role,
        JSON.stringify([...new Set(units)].sort()),
        label ?? null,
        new Date().toISOString(),
      );
      return { id, secret };
    },
    list: () => all.all().map(toKey),
    revoke: (id) => revoke.run(new Date().toISOString(), id).changes === 1,
    verify(secret) {
      const hash = hashSecret(secret);
      const row = byHash.get(hash);
      // The lookup is by hash, so timing reveals nothing about the secret; the
      // comparison guards against a collation surprise in the index.
      if (row === undefined || !timingSafeEqual(row.hash, hash) || row.revoked_at !== null) {
        return undefined;
      }
      return toKey(row);
    },
    recallResponse(keyId, idempotencyKey, now = new Date()) {
      const row = recall.get(keyId, idempotencyKey, now.getTime());
      return row === undefined
        ? undefined
        : { requestHash: row.request_hash, status: row.status, body: row.body };
    },
    rememberResponse(keyId, idempotencyKey, response, ttlMs, now = new Date()) {
      purge.run(now.getTime());
      remember.run(
        keyId,
        idempotencyKey,
        response.requestHash,
        response.status,
        response.body,
        now.getTime() + ttlMs,
      );
    },
    close: () => db.close(),
  };
};

interface StoredResponseRow {
  request_hash: string;
  status: number;
  body: string;
}
