import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import * as z from 'zod';
import { registerAuth } from './auth.js';
import { ApiError, statusOfCode } from './errors.js';
import type { ServerDeps } from './ports.js';
import { registerBodyParsers } from './routes/body.js';
import { eventsRoutes } from './routes/events.js';
import { indicatorRoutes } from './routes/indicators.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { logRoutes } from './routes/log.js';
import { opsRoutes } from './routes/ops.js';
import { pipelineRoutes } from './routes/pipeline.js';
import { referenceRoutes } from './routes/reference.js';
import { reportRoutes } from './routes/reports.js';
import { sheetRoutes, unsupportedMediaType } from './routes/sheets.js';
import { teacherRoutes } from './routes/teachers.js';

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
};

const hasCode = (e: unknown): e is { code: string; message: string } =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';

/** Any error as the one error body; anything unexpected becomes a 500 that says nothing of the inside. */
const toApiError = (error: unknown, requestId: string): ApiError => {
  if (error instanceof ApiError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext ?? 'request';
    return new ApiError(
      400,
      'invalid-request',
      `the ${context} is not valid`,
      error.validation.map((v) => ({
        path: [context, ...v.instancePath.split('/').filter((p) => p !== '')].join('.'),
        message: v.message ?? 'is not valid',
      })),
    );
  }
  // A route's own validator (the events route checks its headers and query with zod directly).
  if (error instanceof z.ZodError) {
    const context = (error as { validationContext?: string }).validationContext ?? 'request';
    return new ApiError(
      400,
      'invalid-request',
      `the ${context} is not valid`,
      error.issues.map((i) => ({
        path: [context, ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  }
  const fe = error as Partial<FastifyError>;
  if (
    typeof fe.statusCode === 'number' &&
    fe.statusCode >= 400 &&
    fe.statusCode < 500 &&
    hasCode(error)
  ) {
    return new ApiError(
      fe.statusCode,
      FASTIFY_CODES[error.code] ??
        (fe.statusCode === 415 ? 'unsupported-media-type' : 'invalid-request'),
      error.message,
    );
  }
  // Store errors carry a stable code; a vendor's or a bug's error does not.
  if (hasCode(error) && ['store-unavailable', 'store-locked'].includes(error.code)) {
    return new ApiError(
      statusOfCode(error.code),
      error.code,
      'the event store is unavailable; retry later',
    );
  }
  return new ApiError(
    500,
    'internal',
    `the server failed to answer; the error is logged with request id ${requestId}`,
  );
};

/**
 * The HTTP API (/v1) on the given store, read model and ingestor. Does not
 * listen: `app.inject` for tests, `serve` or `app.listen` to run it.
 */
export const buildServer = async (deps: ServerDeps): Promise<FastifyInstance> => {
  const limits = deps.limits ?? {};
  const app = Fastify({
    logger: false,
    trustProxy: deps.trustProxy ?? false,
    bodyLimit: limits.bodyBytes ?? 8 * 1024 * 1024,
    requestTimeout: limits.requestTimeoutMs ?? 30_000,
    connectionTimeout: limits.requestTimeoutMs ?? 30_000,
    // Request ids are not secrets; they tie a log line to a response.
    genReqId: () => crypto.randomUUID(),
    // A URL that cannot be decoded is refused before routing: in the one error shape too.
    frameworkErrors: (error, request, reply) => {
      const apiError = toApiError(error, request.id);
      void (reply as FastifyReply)
        .code(apiError.statusCode)
        .header('x-request-id', request.id)
        .type('application/json')
        .send(JSON.stringify(apiError.body()));
    },
  });
  // Every answer names its request id, the one a logged failure is found by; none
  // is to be sniffed as another type, and none of a key's answers is to be stored
  // by a browser or a proxy (they hold teachers' personal data, or figures a
  // revoked key should not keep reading from a cache).
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (request.routeOptions.config.roles !== undefined) reply.header('cache-control', 'no-store');
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply) => {
    const apiError =
      (error as Partial<FastifyError>).statusCode === 415
        ? unsupportedMediaType(request.headers['content-type'], request.url)
        : toApiError(error, request.id);
    if (apiError.statusCode >= 500) {
      deps.logger?.error({ err: error, reqId: request.id, url: request.url }, 'request failed');
    }
    // A body refused before it was read to the end is not read further: the
    // connection closes after the answer instead of draining the rest.
    if (!request.raw.complete) reply.header('connection', 'close');
    if (apiError.statusCode === 429 && !reply.hasHeader('retry-after'))
      reply.header('retry-after', '1');
    return reply
      .code(apiError.statusCode)
      .type('application/json')
      .send(JSON.stringify(apiError.body()));
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type('application/json')
      .send(
        JSON.stringify(
          new ApiError(
            404,
            'not-found',
            `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
          ).body(),
        ),
      ),
  );

  registerBodyParsers(app, {
    bodyBytes: limits.bodyBytes ?? 8 * 1024 * 1024,
    items: limits.batchEvents ?? 5000,
    itemBytes: limits.eventBytes ?? 64 * 1024,
  });
  await app.register(fastifyRateLimit, {
    global: true,
    max: limits.requestsPerWindow ?? 600,
    timeWindow: limits.windowMs ?? 60_000,
    keyGenerator: (request) => request.apiKey?.id ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'rate-limited',
        `too many requests: at most ${context.max} per window; retry in ${context.after}`,
      ),
    // The OpenAPI document is public and cheap.
    allowList: (request) => request.url === '/v1/openapi.json',
  });
  registerAuth(app, deps.keys, {
    max: limits.failedAuthPerWindow ?? 30,
    windowMs: limits.windowMs ?? 60_000,
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'nhagiao API',
        version: '1.0.0',
        description:
          'Events in, indicator figures out: the training and standardisation of VET teachers (Kế hoạch 423/KH-UBND, Circular 05/2024). Every answer carries an x-request-id header (a 500 is logged under it) and X-Content-Type-Options: nosniff; every answer to a key is Cache-Control: no-store. Every error has one shape, {code, message, details}. Failed authentications count per client address: past the limit, 429 before any key is checked. A reporter key never receives teacher ids, names or birth dates.',
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key from `nhagiao keys create`',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  eventsRoutes(app, deps);
  indicatorRoutes(app, deps);
  teacherRoutes(app, deps);
  referenceRoutes(app, deps);
  reportRoutes(app, deps);
  pipelineRoutes(app, deps);
  dashboardRoutes(app, deps);
  sheetRoutes(app, deps);
  logRoutes(app, deps);
  opsRoutes(app, deps);
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
};

export interface ServeOptions extends ServerDeps {
  /** Loopback by default: exposing the API is a deliberate choice. */
  readonly host?: string;
  readonly port: number;
}

/** Builds the server and listens; resolves with the address it listens on. */
export const serve = async ({
  host = '127.0.0.1',
  port,
  ...deps
}: ServeOptions): Promise<{ app: FastifyInstance; address: string }> => {
  const app = await buildServer(deps);
  const address = await app.listen({ host, port });
  return { app, address };
};
