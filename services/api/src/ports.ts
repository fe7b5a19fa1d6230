import type { LogView } from '@nhagiao/audit';
import type { Plan } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import type { IngestOptions, IngestReport, InputItem } from '@nhagiao/ingest';
import type { ReadModelStore } from '@nhagiao/readmodels';
import type { KeyStore } from './keys/key-store.js';

/** The read-model queries the API serves; a `ReadModelStore` of either adapter fits. */
export type ApiReadModel = Pick<
  ReadModelStore,
  'figures' | 'history' | 'teachersBehind' | 'checkpoint' | 'unitEvents' | 'positionAt'
>;

/** The write side: an `Ingestor` of @nhagiao/ingest fits. */
export interface ApiIngestor {
  ingest(
    items: AsyncIterable<InputItem> | Iterable<InputItem>,
    options: IngestOptions,
  ): Promise<IngestReport>;
}

export interface QuarantineEntryView {
  readonly receivedAt: string;
  readonly source: string;
  readonly line: number;
  readonly actorId?: string;
  readonly code: string;
  readonly message: string;
  readonly issues: readonly { readonly path: string; readonly message: string }[];
  readonly item: unknown;
}

/** Where rejected submissions are listed from: a `QuarantineStore` of @nhagiao/ingest fits. */
export interface ApiQuarantine {
  list(filter?: {
    readonly actorId?: string;
    readonly limit?: number;
    readonly offset?: number;
  }): readonly QuarantineEntryView[] | Promise<readonly QuarantineEntryView[]>;
}

/** The logger the API writes through (pino's shape; Fastify's own logger fits). */
export interface ApiLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ApiLimits {
  /** Largest request body in bytes (413 above). Default 8 MiB. */
  readonly bodyBytes?: number;
  /** Most events in one POST (413 above). Default 5,000. */
  readonly batchEvents?: number;
  /** Largest event of a POST in bytes of JSON text (413 above). Default 64 KiB. */
  readonly eventBytes?: number;
  /** Requests per key per window (429 above). Default 600 a minute. */
  readonly requestsPerWindow?: number;
  readonly windowMs?: number;
  /**
   * Failed authentications (no key, an unknown or a revoked one) per client
   * address per window; past it the address is refused with 429 until the
   * window ends. Default 30 a minute.
   */
  readonly failedAuthPerWindow?: number;
  /** Whole-request time limit. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** How long an `Idempotency-Key` response is kept. Default 24 h. */
  readonly idempotencyTtlMs?: number;
}

export interface ServerDeps {
  readonly store: EventStore;
  readonly readModel: ApiReadModel;
  readonly ingestor: ApiIngestor;
  readonly keys: KeyStore;
  readonly plan: Plan;
  readonly quarantine?: ApiQuarantine;
  readonly logger?: ApiLogger;
  readonly limits?: ApiLimits;
  /** Read-model projections whose checkpoints `/v1/status` reports. Default `['ledger']`. */
  readonly projections?: readonly string[];
  /**
   * Called after a write appended events, before the response: the embedded
   * mode catches its read model up here, so a figure read next sees the write.
   */
  readonly afterAppend?: () => Promise<void>;
  /**
   * Behind a reverse proxy that sets X-Forwarded-For and X-Forwarded-Proto:
   * the client's address (rate limits) and protocol are taken from them.
   * Never without such a proxy, or a client could claim any address. Default false.
   */
  readonly trustProxy?: boolean;
  /** The transparency log served under /v1/log (routes/log.ts); absent: those routes answer 404. */
  readonly log?: LogServing;
  /** Today's date in Vietnam, for the default `asOf`; a clock for tests. */
  readonly today?: () => string;
}

/** Where the published log comes from: the operator's audit file and public key. */
export interface LogServing {
  /** The log as published; undefined while there is no audit file yet. */
  view(): LogView | undefined;
  /** The log's verifier key (`<name>+<id>+<base64>`); undefined while there is none. */
  publicKey(): string | undefined;
  close(): void;
}
