import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import type { ApiKey, KeyStore, Role } from './keys/keyStore.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey: ApiKey | null;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; absent means the route needs no key. */
    roles?: readonly Role[];
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

/**
 * Checks the key of every request to a route that names its roles, before its
 * body is read: an unknown or revoked key is 401, a key of another role 403.
 */
export const registerAuth = (app: FastifyInstance, keys: KeyStore): void => {
  app.decorateRequest('apiKey', null);
  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (roles === undefined) return;
    const secret = secretOf(request);
    if (secret === undefined) {
      throw new ApiError(401, 'unauthenticated', 'send an API key: Authorization: Bearer <key>');
    }
    const key = keys.verify(secret);
    if (key === undefined) {
      throw new ApiError(401, 'unauthenticated', 'the API key is unknown or revoked');
    }
    request.apiKey = key;
    if (!roles.includes(key.role)) {
      throw new ApiError(
        403,
        'forbidden',
        `a ${key.role} key may not ${request.method} ${request.routeOptions.url ?? request.url} (allowed: ${roles.join(', ')})`,
      );
    }
  });
};

/** The key of an authenticated request; routes with `roles` always have one. */
export const keyOf = (request: FastifyRequest): ApiKey => {
  if (request.apiKey === null) throw new Error('route without roles asked for the API key');
  return request.apiKey;
};

export const PERSONAL_DATA_ROLES: readonly Role[] = ['auditor', 'admin'];
export const ALL_ROLES: readonly Role[] = ['integrator', 'reporter', 'auditor', 'admin'];
