import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import type { ApiKey, KeyStore, Role } from './keys/key-store.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKey | null;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; absent means the route needs no key. */
    roles?: readonly Role[];
  }
  interface FastifyInstance {
    /**
     * The failed-authentication count of `registerAuth`, for other places that
     * check a key (the dashboard's sign-in): `refuseIfOver` throws the 429 when
     * the address is over its limit, `count` records one failure.
     */
    failedAuthentication: {
      refuseIfOver(request: FastifyRequest, reply: FastifyReply): Promise<void>;
      count(request: FastifyRequest): Promise<void>;
    };
    /**
     * The key of a request to a route that needs one only for some queries (a
     * proof by event id): checked as for a route with `roles` (401, 403, the
     * failed-authentication count), and set on the request.
     */
    requireKey(
      request: FastifyRequest,
      reply: FastifyReply,
      roles: readonly Role[],
    ): Promise<ApiKey>;
  }
}

const secretOf = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice(7).trim();
  const key = request.headers['x-api-key'];
  if (typeof key === 'string') return key;
  // The dashboard's session cookie stands for the key it was exchanged for (reads only).
  return (request as { sessionApiKey?: string }).sessionApiKey;
};

/** How many failed authentications one address may make per window before it is refused. */
export interface FailedAuthLimit {
  readonly max: number;
  readonly windowMs: number;
}

/**
 * Checks the key of every request to a route that names its roles, before its
 * body is read: an unknown or revoked key is 401, a key of another role 403.
 * Failed authentications count against the client's address (`request.ip`):
 * once it has made `limit.max` in a window, its requests are refused with 429
 * before any key is checked, until the window ends. (Needs @fastify/rate-limit
 * registered first: its store keeps the counts.)
 */
export const registerAuth = (
  app: FastifyInstance,
  keys: KeyStore,
  limit: FailedAuthLimit = { max: 30, windowMs: 60_000 },
): void => {
  const failures = app.createRateLimit({
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: (request) => `failed-auth|${request.ip}`,
  });
  const refuseIfOver = (state: Awaited<ReturnType<typeof failures>>, reply: FastifyReply): void => {
    if (state.isAllowed || state.remaining > 0) return;
    reply.header('retry-after', String(Math.max(1, state.ttlInSeconds)));
    throw new ApiError(
      429,
      'rate-limited',
      `too many failed authentications from this address: at most ${limit.max} per ${limit.windowMs / 1000} s; retry in ${state.ttlInSeconds} s`,
    );
  };
  app.decorate('failedAuthentication', {
    refuseIfOver: async (request: FastifyRequest, reply: FastifyReply) =>
      refuseIfOver(await failures(request, { increment: false }), reply),
    count: async (request: FastifyRequest) => void (await failures(request)),
  });
  app.decorateRequest('apiKey', null);
  const requireKey = async (
    request: FastifyRequest,
    reply: FastifyReply,
    roles: readonly Role[],
  ): Promise<ApiKey> => {
    await app.failedAuthentication.refuseIfOver(request, reply);
    const secret = secretOf(request);
    const key = secret === undefined || secret === '' ? undefined : keys.verify(secret);
    if (key === undefined) {
      await app.failedAuthentication.count(request);
      throw new ApiError(
        401,
        'unauthenticated',
        secret === undefined || secret === ''
          ? 'send an API key: Authorization: Bearer <key>'
          : 'the API key is unknown or revoked',
      );
    }
    request.apiKey = key;
    if (!roles.includes(key.role)) {
      throw new ApiError(
        403,
        'forbidden',
        `a ${key.role} key may not ${request.method} ${request.routeOptions.url ?? request.url} (allowed: ${roles.join(', ')})`,
      );
    }
    return key;
  };
  app.decorate('requireKey', requireKey);
  app.addHook('onRequest', async (request, reply) => {
    const roles = request.routeOptions.config.roles;
    if (roles === undefined) return;
    await requireKey(request, reply, roles);
  });
};

/** The key of an authenticated request; routes with `roles` always have one. */
export const keyOf = (request: FastifyRequest): ApiKey => {
  if (request.apiKey === null) throw new Error('route without roles asked for the API key');
  return request.apiKey;
};

export const PERSONAL_DATA_ROLES: readonly Role[] = ['auditor', 'admin'];
export const ALL_ROLES: readonly Role[] = ['integrator', 'reporter', 'auditor', 'admin'];
