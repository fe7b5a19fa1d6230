import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  LogView,
  LogViewError,
  TILE_WIDTH,
  findLoggedEvent,
  parseTilePath,
  verifyCheckpoint,
} from '@nhagiao/audit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { PERSONAL_DATA_ROLES } from '../auth.js';
import { ApiError, errorBodySchema } from '../errors.js';
import type { LogServing, ServerDeps } from '../ports.js';
import { withNotFound } from './common.js';
import { eventVisibleTo } from './reach.js';

/** Who may ask for a proof by event id (a proof by leaf index needs no key). */
const EVENT_LOOKUP_ROLES = ['integrator', 'auditor', 'admin'] as const;

export type { LogServing };

/** A {@link LogServing} over the data directory's files, opened on first use. */
export const logServingFromFiles = (files: {
  readonly audit: string;
  readonly publicKey: string;
}): LogServing => {
  let view: LogView | undefined;
  return {
    view() {
      if (view === undefined && existsSync(files.audit)) view = LogView.open(files.audit);
      return view;
    },
    publicKey() {
      return existsSync(files.publicKey) ? readFileSync(files.publicKey, 'utf8').trim() : undefined;
    },
    close() {
      view?.close();
      view = undefined;
    },
  };
};

/**
 * Why a report's `checkpoint` is not one this log had (undefined: it is): it
 * must be a note signed by the log's key for its origin, of a size the log has
 * published, whose root hash is the log's at that size. A server that publishes
 * no log cannot check one, so it refuses any.
 */
export const checkpointIssueOf =
  (log: LogServing | undefined) =>
  (note: string): string | undefined => {
    const view = log?.view();
    const publicKey = log?.publicKey();
    const fix =
      'send the text of a checkpoint of this log (GET /v1/log/checkpoint), or leave checkpoint out';
    if (view === undefined || publicKey === undefined)
      return 'this server publishes no transparency log, so it cannot check a checkpoint; leave checkpoint out';
    let published;
    try {
      published = view.published().checkpoint;
    } catch {
      return `the log has no checkpoint signed yet; leave checkpoint out`;
    }
    const verdict = verifyCheckpoint(note, publicKey, { origin: published.origin });
    if (!verdict.ok) return `is not a checkpoint of this log (${verdict.message}); ${fix}`;
    const { size, rootHash } = verdict.checkpoint;
    if (size > published.size)
      return `covers ${size} events, more than the log's latest checkpoint (${published.size}): the log never had it; ${fix}`;
    if (!view.tree.rootAt(size).equals(rootHash))
      return `its root hash for ${size} events is not the log's: the log never had this checkpoint; ${fix}`;
    return undefined;
  };

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The checkpoint moves: a few seconds at most, as tlog-tiles asks. */
const MUTABLE = 'public, max-age=5';

const decimal = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/, 'a decimal count without leading zeroes')
  .transform(Number);

const proofResponse = z.object({
  index: z.number().int(),
  treeSize: z.number().int(),
  leafHash: z.string(),
  rootHash: z.string(),
  proof: z.array(z.string()).readonly(),
  eventId: z.string().optional(),
  position: z.string().optional(),
});

const consistencyResponse = z.object({
  from: z.number().int(),
  to: z.number().int(),
  fromRoot: z.string(),
  toRoot: z.string(),
  proof: z.array(z.string()).readonly(),
});

const textErrors = { 404: errorBodySchema, 429: errorBodySchema, 500: errorBodySchema } as const;

/** A LogViewError as the API's error: nothing published (404), out of range (404 or 400), the operator's files at odds (500). */
const apiErrorOf = (error: unknown, outOfRange: 400 | 404, path = ''): unknown => {
  if (!(error instanceof LogViewError)) return error;
  if (error.code === 'not-published') return new ApiError(404, 'not-published', error.message);
  if (error.code === 'out-of-range')
    return new ApiError(
      outOfRange,
      outOfRange === 400 ? 'invalid-request' : 'not-found',
      error.message,
      path === '' ? [] : [{ path, message: error.message }],
    );
  return new ApiError(500, 'log-inconsistent', error.message);
};

/**
 * The transparency log over HTTP, in the formats other tools read: the signed
 * checkpoint (C2SP tlog-checkpoint) with the witnesses' cosignatures, the
 * verifier key, hash tiles and entry bundles (C2SP tlog-tiles, height 8), and
 * inclusion and consistency proofs as JSON (hashes in standard base64).
 * Everything is public but the entry bundles, whose leaves name teachers'
 * streams: auditors and admins only.
 */
export const logRoutes = (app: FastifyInstance, deps: ServerDeps): void => {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const serving = deps.log;
  app.addHook('onClose', async () => serving?.close());

  const view = (): LogView => {
    const v = serving?.view();
    if (v === undefined)
      throw new ApiError(404, 'not-published', 'this server publishes no log yet');
    return v;
  };

  r.get(
    '/v1/log/checkpoint',
    {
      schema: {
        summary:
          'The latest signed checkpoint (C2SP tlog-checkpoint, text), with the witnesses’ cosignatures',
        tags: ['log'],
        response: { 200: z.string(), ...textErrors },
      },
    },
    async (_request, reply) => {
      let note: string;
      try {
        note = view().published().note;
      } catch (e) {
        throw apiErrorOf(e, 404);
      }
      return reply.type('text/plain; charset=utf-8').header('cache-control', MUTABLE).send(note);
    },
  );

  r.get(
    '/v1/log/key',
    {
      schema: {
        summary: "The log's signed-note verifier key, <name>+<key id>+<base64>",
        tags: ['log'],
        response: { 200: z.string(), ...textErrors },
      },
    },
    async (_request, reply) => {
      const key = serving?.publicKey();
      if (key === undefined)
        throw new ApiError(404, 'not-published', 'this server publishes no log key yet');
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', MUTABLE)
        .send(`${key}\n`);
    },
  );

  const tileRef = (request: FastifyRequest) => {
    const rest = (request.params as { '*': string })['*'];
    const parsed = parseTilePath(request.url.includes('/tile/entries/') ? `entries/${rest}` : rest);
    if (!parsed.ok)
      throw new ApiError(404, 'not-found', `not a tile path: ${parsed.message}`, [
        { path: 'path', message: parsed.message },
      ]);
    return parsed.tile;
  };

  const sendBytes = (
    request: FastifyRequest,
    reply: FastifyReply,
    bytes: Buffer,
    cache: string,
    compress: boolean,
  ) => {
    reply.type('application/octet-stream').header('cache-control', cache);
    const accepts = String(request.headers['accept-encoding'] ?? '');
    if (compress && /\bgzip\b/.test(accepts)) {
      return reply
        .header('content-encoding', 'gzip')
        .header('vary', 'accept-encoding')
        .send(gzipSync(bytes));
    }
    return reply.send(bytes);
  };

  r.get(
    '/v1/log/tile/entries/*',
    {
      config: { roles: PERSONAL_DATA_ROLES },
      schema: {
        summary:
          'An entry bundle (C2SP tlog-tiles): the leaves of 256 events, each a big-endian uint16 length and the leaf bytes',
        tags: ['log'],
        security: [{ apiKey: [] }],
        response: { ...withNotFound, 500: errorBodySchema },
      },
    },
    async (request, reply) => {
      const ref = tileRef(request);
      let bytes: Buffer;
      try {
        bytes = await view().entryBundle(deps.store, ref);
      } catch (e) {
        throw apiErrorOf(e, 404);
      }
      const cache =
        ref.width === TILE_WIDTH ? 'private, max-age=31536000, immutable' : 'private, max-age=3600';
      return sendBytes(request, reply, bytes, cache, true);
    },
  );

  r.get(
    '/v1/log/events',
    {
      config: { roles: PERSONAL_DATA_ROLES },
      schema: {
        summary:
          'Every event of the published tree in log order, NDJSON (one event a line, as `nhagiao export` writes events.ndjson): for `nhagiao verify --from`',
        tags: ['log'],
        security: [{ apiKey: [] }],
        response: { ...withNotFound, 500: errorBodySchema },
      },
    },
    async (_request, reply) => {
      const v = view();
      let size: number;
      try {
        size = v.published().checkpoint.size;
      } catch (e) {
        throw apiErrorOf(e, 404);
      }
      async function* lines(): AsyncGenerator<string> {
        let n = 0;
        let chunk = '';
        for await (const e of deps.store.readAll()) {
          if (n >= size) break;
          n += 1;
          chunk += `${JSON.stringify({
            position: e.position.toString(),
            stream: e.stream,
            revision: e.revision.toString(),
            id: e.id,
            type: e.type,
            recordedAt: e.recordedAt,
            data: e.data,
            metadata: { ...e.metadata },
          })}\n`;
          if (chunk.length > 1 << 20) {
            yield chunk;
            chunk = '';
          }
        }
        if (chunk !== '') yield chunk;
      }
      return (reply as FastifyReply)
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .send(Readable.from(lines()));
    },
  );

  r.get(
    '/v1/log/salts',
    {
      config: { roles: PERSONAL_DATA_ROLES },
      schema: {
        summary:
          'The salts and commitments of personal data, NDJSON (as salts.ndjson of an export): leaves commit to personal fields through them',
        tags: ['log'],
        security: [{ apiKey: [] }],
        response: { ...withNotFound, 500: errorBodySchema },
      },
    },
    async (_request, reply) => {
      const v = view();
      try {
        v.published();
      } catch (e) {
        throw apiErrorOf(e, 404);
      }
      let body = '';
      for (const [eventId, kept] of v.salts())
        body += `${JSON.stringify({ eventId, salt: kept.salt?.toString('base64') ?? null, commitments: kept.commitments })}\n`;
      return (reply as FastifyReply)
        .type('application/x-ndjson; charset=utf-8')
        .header('cache-control', 'private, no-store')
        .send(body);
    },
  );

  r.get(
    '/v1/log/tile/*',
    {
      // Public, cheap and immutable: a mirror fetches thousands of them.
      config: { rateLimit: { max: 10 * (deps.limits?.requestsPerWindow ?? 600) } },
      schema: {
        summary:
          'A hash tile (C2SP tlog-tiles, height 8): tile/<L>/<N>[.p/<W>], 32-byte hashes concatenated',
        tags: ['log'],
        response: { 404: errorBodySchema, 429: errorBodySchema, 500: errorBodySchema },
      },
    },
    async (request, reply) => {
      const ref = tileRef(request);
      let bytes: Buffer;
      try {
        bytes = view().tile(ref);
      } catch (e) {
        throw apiErrorOf(e, 404);
      }
      return sendBytes(
        request,
        reply,
        bytes,
        ref.width === TILE_WIDTH ? IMMUTABLE : 'public, max-age=3600',
        false,
      );
    },
  );

  r.get(
    '/v1/log/proof/inclusion',
    {
      schema: {
        summary:
          'RFC 6962 inclusion proof of one event (by leaf index: anyone; by eventId: a key that may see the event — integrator, auditor, admin — and the same 404 for an event that does not exist and one the key may not see) in the tree of treeSize (default: the latest checkpoint); hashes in base64',
        tags: ['log'],
        querystring: z.strictObject({
          eventId: z.string().min(1).max(100).optional(),
          index: decimal.optional(),
          treeSize: decimal.optional(),
        }),
        response: { 200: proofResponse, 400: errorBodySchema, ...textErrors },
      },
    },
    async (request, reply) => {
      const { eventId, index, treeSize } = request.query;
      if ((eventId === undefined) === (index === undefined))
        throw new ApiError(400, 'invalid-request', 'give exactly one of eventId and index', [
          { path: 'querystring', message: 'eventId or index' },
        ]);
      // By id, the answer tells whether an event exists: only to a key that may see it.
      const key =
        eventId === undefined
          ? undefined
          : await app.requireKey(request, reply, EVENT_LOOKUP_ROLES);
      const v = view();
      try {
        if (index !== undefined) return v.inclusionProof(index, treeSize);
        if (key === undefined) throw new Error('a lookup by eventId without a key');
        const event = await findLoggedEvent(deps.store, { id: eventId as string });
        const at = event === undefined ? undefined : v.indexOf(event.position);
        if (
          event === undefined ||
          at === undefined ||
          !(await eventVisibleTo(deps.store, key, event))
        )
          throw new ApiError(
            404,
            'not-found',
            `no event ${eventId} that this key may see is covered by the latest checkpoint (an event recorded since is covered by the next one)`,
            [
              {
                path: 'querystring.eventId',
                message: "not in the published tree, or not this key's to see",
              },
            ],
          );
        return {
          eventId: event.id,
          position: event.position.toString(),
          ...v.inclusionProof(at, treeSize),
        };
      } catch (e) {
        throw apiErrorOf(e, 400, 'querystring.treeSize');
      }
    },
  );

  r.get(
    '/v1/log/proof/consistency',
    {
      schema: {
        summary:
          'RFC 6962 consistency proof from the tree of `from` events to the tree of `to` (default: the latest checkpoint); hashes in base64',
        tags: ['log'],
        querystring: z.strictObject({ from: decimal, to: decimal.optional() }),
        response: { 200: consistencyResponse, 400: errorBodySchema, ...textErrors },
      },
    },
    async (request) => {
      try {
        return view().consistencyProof(request.query.from, request.query.to);
      } catch (e) {
        throw apiErrorOf(e, 400, 'querystring');
      }
    },
  );
};
