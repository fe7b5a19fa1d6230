import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type JetStreamClient, type KV, type KvEntry, NatsError } from 'nats';
import { BusError } from './errors.js';

/** JetStream refused a compare-and-swap: the key is at another revision (API error 10071). */
const isWrongLastSequence = (error: unknown): boolean =>
  error instanceof NatsError &&
  (error.api_error?.err_code === 10071 || /wrong last sequence/i.test(error.message));

/** Default bucket holding the relay's lease and checkpoint. */
export const RELAY_BUCKET = 'nhagiao_relay';

/** Default bucket holding the projectors' leases, one key per read model. */
export const PROJECTOR_BUCKET = 'nhagiao_projectors';

/**
 * Opens (creating when missing) a file-backed KV bucket keeping one value per
 * key, with `replicas` copies when it creates it (3 on a 3-node cluster, so the
 * lease outlives a node). Its values are read from the bucket's leader.
 */
export const openKvBucket = (
  js: JetStreamClient,
  bucket: string = RELAY_BUCKET,
  options: { readonly replicas?: number } = {},
): Promise<KV> =>
  // Reads go to the bucket's leader, not to any replica (direct get): a replica
  // that has just rejoined answers with what it held before, and `status` then
  // showed a relay checkpoint minutes old and a waiter saw a lease long renewed.
  js.views.kv(bucket, { history: 1, replicas: options.replicas ?? 1, allow_direct: false });

/** Who holds the lease `key` (null when nobody does), read without taking part. */
export const leaseHolder = async (kv: KV, key: string): Promise<string | null> => {
  const entry = await kv.get(key);
  if (entry === null || entry.operation !== 'PUT') return null;
  return readValue(entry)?.holder ?? '(unreadable)';
};

/** A held lease. Valid until `validUntil` (this process's monotonic clock) unless renewed. */
export interface Lease {
  readonly key: string;
  readonly holderId: string;
  readonly ttlMs: number;
  /** KV revision of the holder's last write. */
  readonly revision: number;
  /** `performance.now()` after which a waiter may have taken over. */
  readonly validUntil: number;
  /**
   * Extends the lease by compare-and-swap; throws `lease-lost` when someone else
   * holds it now, and NATS's own error when the renewal did not get through.
   */
  renew(): Promise<void>;
  /** Deletes the key (if still ours) so a waiter takes over at once. */
  release(): Promise<void>;
}

export interface AcquireLeaseOptions {
  readonly signal?: AbortSignal;
  /** How often a waiter looks at the key; default ttl / 4. */
  readonly pollMs?: number;
  /** Called once when this holder starts waiting for another's lease. */
  readonly onWait?: (currentHolder: string) => void;
}

interface LeaseValue {
  readonly holder: string;
  readonly ttlMs: number;
  readonly renewedAt: string;
}

const encodeValue = (holder: string, ttlMs: number): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({ holder, ttlMs, renewedAt: new Date().toISOString() } satisfies LeaseValue),
  );

const readValue = (entry: KvEntry): LeaseValue | null => {
  try {
    const v = entry.json<Partial<LeaseValue>>();
    return typeof v.holder === 'string' && typeof v.ttlMs === 'number' ? (v as LeaseValue) : null;
  } catch {
    // An unreadable value is treated like a lease whose ttl we do not know: ours applies.
    return null;
  }
};

const makeLease = (
  kv: KV,
  key: string,
  holderId: string,
  ttlMs: number,
  revision: number,
  writtenAt: number,
): Lease => {
  let rev = revision;
  let validUntil = writtenAt + ttlMs;
  let released = false;
  return {
    key,
    holderId,
    ttlMs,
    get revision() {
      return rev;
    },
    get validUntil() {
      return validUntil;
    },
    async renew() {
      if (released) throw new BusError('lease-lost', `lease ${key} was released`);
      const startedAt = performance.now();
      try {
        rev = await kv.update(key, encodeValue(holderId, ttlMs), rev);
      } catch (cause) {
        // Another revision: someone else wrote the key. Anything else (a timeout or
        // a 503 while the bucket elects a leader) is thrown as it is: the lease
        // holds until `validUntil` and the renewal may be tried again.
        if (!isWrongLastSequence(cause)) throw cause;
        throw new BusError('lease-lost', `lease ${key} is no longer held by ${holderId}`, {
          cause,
        });
      }
      // A waiter counts the ttl from when it sees this write, which is after we sent it.
      validUntil = startedAt + ttlMs;
    },
    async release() {
      if (released) return;
      released = true;
      validUntil = 0;
      try {
        await kv.delete(key, { previousSeq: rev });
      } catch {
        // Someone else holds it already: nothing of ours to release.
      }
    },
  };
};

/**
 * Waits until `holderId` holds the lease `key`, then returns it. Expiry does not
 * trust clocks across machines: a waiter takes over after it has seen the same
 * revision of the key, unrenewed, for the holder's ttl on its own monotonic
 * clock; the takeover is a compare-and-swap on that revision, so of several
 * waiters exactly one wins.
 */
export const acquireLease = async (
  kv: KV,
  key: string,
  holderId: string,
  ttlMs: number,
  options: AcquireLeaseOptions = {},
): Promise<Lease> => {
  const pollMs = options.pollMs ?? Math.max(10, Math.floor(ttlMs / 4));
  let seen: { revision: number; since: number } | null = null;
  let waiting = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const entry = await kv.get(key);
    const startedAt = performance.now();
    if (entry === null || entry.operation !== 'PUT') {
      try {
        const revision = await kv.create(key, encodeValue(holderId, ttlMs));
        return makeLease(kv, key, holderId, ttlMs, revision, startedAt);
      } catch {
        // Another waiter created it first; look again.
        continue;
      }
    }
    const value = readValue(entry);
    if (value?.holder === holderId) {
      // Our own earlier incarnation (same holder id): take it back without waiting.
      try {
        const revision = await kv.update(key, encodeValue(holderId, ttlMs), entry.revision);
        return makeLease(kv, key, holderId, ttlMs, revision, startedAt);
      } catch {
        continue;
      }
    }
    if (seen === null || seen.revision !== entry.revision) {
      seen = { revision: entry.revision, since: startedAt };
    } else if (startedAt - seen.since >= (value?.ttlMs ?? ttlMs)) {
      try {
        const revision = await kv.update(key, encodeValue(holderId, ttlMs), entry.revision);
        return makeLease(kv, key, holderId, ttlMs, revision, startedAt);
      } catch {
        seen = null;
        continue;
      }
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.(value?.holder ?? '(unreadable)');
    }
    await sleep(pollMs, undefined, options.signal === undefined ? {} : { signal: options.signal });
  }
};

export interface LeaseKeeper {
  /** Aborted when the lease is lost (renewal refused, or not renewed in time). */
  readonly lost: AbortSignal;
  /** Stops renewing (does not release). */
  stop(): void;
}

/**
 * Renews `lease` every `intervalMs` (default ttl / 3) until stopped or lost: lost
 * when a renewal is refused (someone else wrote the key) or none got through
 * before the ttl ran out; a renewal that failed otherwise is tried again soon.
 */
export const keepLease = (lease: Lease, intervalMs = Math.floor(lease.ttlMs / 3)): LeaseKeeper => {
  const lost = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const loseIfLate = (): void => {
    clearTimeout(watchdog);
    // A renewal stuck on a dead connection must not let us publish past the ttl.
    watchdog = setTimeout(
      () => {
        if (!stopped && performance.now() >= lease.validUntil)
          lost.abort(new BusError('lease-lost', `lease ${lease.key} was not renewed in time`));
        else if (!stopped) loseIfLate();
      },
      Math.max(1, lease.validUntil - performance.now()),
    );
  };
  const tick = async (): Promise<void> => {
    if (stopped || lost.signal.aborted) return;
    try {
      await lease.renew();
    } catch (error) {
      if (stopped) return;
      if (error instanceof BusError && error.code === 'lease-lost') {
        lost.abort(error);
        return;
      }
      // Not through (NATS electing a leader, a connection being replaced): try
      // again soon; the watchdog gives the lease up once its ttl has passed.
      timer = setTimeout(() => void tick(), Math.min(intervalMs, 250));
      return;
    }
    loseIfLate();
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  loseIfLate();
  timer = setTimeout(() => void tick(), intervalMs);
  lost.signal.addEventListener('abort', () => clearTimeout(watchdog), { once: true });
  return {
    lost: lost.signal,
    stop() {
      stopped = true;
      clearTimeout(timer);
      clearTimeout(watchdog);
    },
  };
};
