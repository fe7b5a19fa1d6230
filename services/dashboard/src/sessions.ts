import { randomBytes } from 'node:crypto';

export interface Session {
  readonly id: string;
  /** The API key the session stands for; kept in server memory only, never sent back. */
  readonly secret: string;
  readonly expiresAt: number;
}

export interface SessionStore {
  /** A new session for a key; its id is the cookie value. */
  open(secret: string): Session;
  /** The live session with this id, or undefined when unknown or expired (an expired one is dropped). */
  get(id: string): Session | undefined;
  close(id: string): void;
  /** How many sessions are held (expired ones are swept as they are met). */
  size(): number;
}

export interface SessionStoreOptions {
  /** Lifetime of a session from its opening. Default 8 hours: one working day. */
  readonly ttlMs?: number;
  /** A clock for tests. */
  readonly now?: () => number;
}

/**
 * Sessions in process memory: a restart logs everyone out, which is the safe
 * failure for a reading tool. Ids are 256 random bits, so guessing one is hopeless.
 */
export const createSessionStore = (options: SessionStoreOptions = {}): SessionStore => {
  const ttlMs = options.ttlMs ?? 8 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Session>();

  const sweep = (): void => {
    const t = now();
    for (const [id, s] of sessions) if (s.expiresAt <= t) sessions.delete(id);
  };

  return {
    open(secret) {
      sweep();
      const session = {
        id: randomBytes(32).toString('base64url'),
        secret,
        expiresAt: now() + ttlMs,
      };
      sessions.set(session.id, session);
      return session;
    },
    get(id) {
      const session = sessions.get(id);
      if (session === undefined) return undefined;
      if (session.expiresAt <= now()) {
        sessions.delete(id);
        return undefined;
      }
      return session;
    },
    close(id) {
      sessions.delete(id);
    },
    size() {
      sweep();
      return sessions.size;
    },
  };
};
