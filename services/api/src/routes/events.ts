import { createHash } from 'node:crypto';
import { WRITING_ROLES } from '@nhagiao/domain';
import type { InputItem, IngestReport, ItemOutcome } from '@nhagiao/ingest';
import { reportValuesAtHead } from '@nhagiao/reports';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as z from 'zod';
import { keyOf } from '../auth.js';
import { ApiError, errorBodySchema, statusOfCode } from '../errors.js';
import type { ServerDeps } from '../ports.js';
import { eventsBody, ingestErrorResponse, ingestResponse } from '../schemas.js';
import type { ParsedBody } from './body.js';
import { checkpointIssueOf } from './log.js';

const outcomeJson = (o: ItemOutcome) => {
  switch (o.status) {
    case 'accepted':
      return { ...o, position: o.position.toString(), revision: o.revision.toString() };
    case 'duplicate':
      return {
        line: o.line,
        id: o.id,
        status: o.status,
        stream: o.stream,
        ...(o.position === undefined ? {} : { position: o.position.toString() }),
        ...(o.revision === undefined ? {} : { revision: o.revision.toString() }),
      };
    case 'rejected':
      return { ...o, issues: [...o.issues] };
    case 'not-appended':
      return o;
  }
};

/**
 * One status for a rejected all-or-nothing submission: the most telling of its
 * items' codes (503 first: a report whose figures cannot be computed yet is to
 * be sent again as it is).
 */
const STATUS_PRIORITY = [503, 403, 409, 400, 422];
const statusOfReport = (report: IngestReport): number => {
  const statuses = new Set(
    report.items.flatMap((i) => (i.status === 'rejected' ? [statusOfCode(i.code)] : [])),
  );
  return STATUS_PRIORITY.find((s) => statuses.has(s)) ?? 422;
};

const itemsOf = (body: ParsedBody): InputItem[] => {
  if (body.kind === 'ndjson') return [...body.items];
  const values = Array.isArray(body.value) ? (body.value as unknown[]) : [body.value];
  return values.map((value, i) => ({ line: i + 1, value }));
};

const errorStatuses = { 400: ingestErrorResponse.or(errorBodySchema) } as const;

export const eventsRoutes = (app: FastifyInstance, deps: ServerDeps): void => {
  const maxBatch = deps.limits?.batchEvents ?? 5000;
  const ttl = deps.limits?.idempotencyTtlMs ?? 24 * 3600 * 1000;
  const anyError = errorStatuses[400];
  const annualReports = reportValuesAtHead({
    store: deps.store,
    readModel: deps.readModel,
    plan: deps.plan,
    ...(deps.afterAppend === undefined ? {} : { catchUp: deps.afterAppend }),
    projection: deps.projections?.[0] ?? 'ledger',
    checkpointIssue: checkpointIssueOf(deps.log),
  });
  app.withTypeProvider<ZodTypeProvider>().route({
    method: 'POST',
    url: '/v1/events',
    // The roles the authority table lets write; what each may assert is the ingest's to decide.
    config: { roles: [...WRITING_ROLES] },
    schema: {
      summary: 'Publish one event, a JSON array of events, or NDJSON (application/x-ndjson)',
      description:
        'All-or-nothing by default: one rejected event and none is appended. With partial=true the valid events are appended and the rejected ones quarantined. Same envelope ids or an Idempotency-Key header make retries safe. A body is refused as soon as it is known to be too large, before any of it is parsed and without reading the rest: 413 body-too-large (bytes), 413 batch-too-large (events: array elements or non-blank NDJSON lines), 413 event-too-large (one event over 64 KiB), 400 invalid-json (JSON nested deeper than 16 levels). What a key may assert is the authority table of docs/authority.md (403 forbidden otherwise). An AnnualReportSubmitted is a sign-off (unitId, year, asOf: a day of the year, signedOffBy, note, checkpoint: one this log had): the server computes its values and sets submittedOn; values sent that differ from the log are refused (422 report-mismatch, naming the first differing figure).',
      tags: ['events'],
      consumes: ['application/json', 'application/x-ndjson'],
      security: [{ apiKey: [] }],
      querystring: z.strictObject({ partial: z.enum(['true', 'false']).default('false') }),
      headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
      body: eventsBody,
      response: {
        200: ingestResponse,
        400: anyError,
        401: errorBodySchema,
        403: anyError,
        409: anyError,
        413: errorBodySchema,
        415: errorBodySchema,
        422: anyError,
        429: errorBodySchema,
        503: errorBodySchema,
      },
    },
    // The body is checked event by event by the ingest (so partial mode can take
    // the valid ones); the schema above documents it in the OpenAPI document.
    validatorCompiler: ({ schema, httpPart }) =>
      httpPart === 'body'
        ? (data: unknown) => ({ value: data })
        : (data: unknown) => {
            const result = (schema as unknown as z.ZodType).safeParse(data);
            return result.success ? { value: result.data } : { error: result.error };
          },
    handler: async (request, reply) => {
      const key = keyOf(request);
      const body = request.body as unknown as ParsedBody;
      const partial = request.query.partial === 'true';
      const idempotencyKey = request.headers['idempotency-key'];
      // Only a request with an Idempotency-Key is remembered, so only its body is hashed.
      const requestHash =
        idempotencyKey === undefined
          ? ''
          : createHash('sha256')
              .update(`${body.kind}\n${partial}\n`)
              .update(body.raw)
              .digest('hex');
      if (idempotencyKey !== undefined) {
        const stored = deps.keys.recallResponse(key.id, idempotencyKey);
        if (stored !== undefined) {
          if (stored.requestHash !== requestHash) {
            throw new ApiError(
              409,
              'idempotency-key-reused',
              'this Idempotency-Key was used for a different request; use a new key for new content',
              [{ path: 'headers.idempotency-key', message: 'already used with other content' }],
            );
          }
          reply.header('idempotent-replayed', 'true');
          return (reply as FastifyReply)
            .code(stored.status)
            .type('application/json')
            .send(stored.body);
        }
      }
      const items = itemsOf(body);
      if (items.length === 0) {
        throw new ApiError(400, 'invalid-request', 'the request holds no event', [
          { path: 'body', message: 'is empty' },
        ]);
      }
      if (items.length > maxBatch) {
        throw new ApiError(
          413,
          'batch-too-large',
          `a request may hold at most ${maxBatch} events (got ${items.length}); split it`,
        );
      }
      const report = await deps.ingestor.ingest(items, {
        mode: partial ? 'partial' : 'all-or-nothing',
        actor: {
          id: key.id,
          role: key.role,
          ...(key.role === 'integrator' ? { units: new Set(key.units) } : {}),
        },
        annualReports,
        source: `POST /v1/events${key.label === null ? '' : ` (${key.label})`}`,
      });
      if (report.appended > 0 && deps.afterAppend !== undefined) await deps.afterAppend();
      const itemsJson = report.items.map(outcomeJson);
      const rejected = report.items.filter((i) => i.status === 'rejected');
      const [status, payload] =
        !partial && rejected.length > 0
          ? [
              statusOfReport(report),
              {
                code:
                  rejected.length === 1 && rejected[0] !== undefined
                    ? rejected[0].code
                    : 'rejected',
                message: `${rejected.length} of ${report.items.length} events rejected; nothing was appended`,
                details: rejected.flatMap((r) =>
                  r.issues.length > 0
                    ? r.issues.map((i) => ({ path: `[${r.line}].${i.path}`, message: i.message }))
                    : [{ path: `[${r.line}]`, message: r.message }],
                ),
                items: itemsJson,
              },
            ]
          : [
              200,
              {
                appended: report.appended,
                duplicates: report.duplicates,
                rejected: report.rejected,
                items: itemsJson,
              },
            ];
      const text = JSON.stringify(payload);
      if (idempotencyKey !== undefined) {
        deps.keys.rememberResponse(
          key.id,
          idempotencyKey,
          { requestHash, status, body: text },
          ttl,
        );
      }
      // Sent as text: the payload is the one remembered for replays, byte for byte.
      return (reply as FastifyReply).code(status).type('application/json').send(text);
    },
  });
};
