import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Asset, buildAssets, defaultWebRoot } from './assets.js';
import { cookieValue, sessionCookie } from './cookies.js';
import { type SessionStore, createSessionStore } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The API key of the request's dashboard session, for a read (GET/HEAD)
     * with a live session cookie; undefined otherwise. The API's auth reads
     * it when the request carries no key header.
     */
    sessionApiKey: string | undefined;
  }
}

/** What the dashboard needs of the API's key store (`KeyStore` of @nhagiao/api fits). */
export interface DashboardKeys {
  verify(secret: string): { readonly id: string; readonly role: string } | undefined;
}

export interface DashboardOptions {
  readonly keys: DashboardKeys;
  /** The plan the page shows (`/v1/plans/{planId}`). */
  readonly planId: string;
  /** Session lifetime; default 8 hours. */
  readonly sessionTtlMs?: number;
  /**
   * Mark the cookie `Secure` (behind TLS). `'auto'`: when the request came over
   * HTTPS (`request.protocol`, which honours X-Forwarded-Proto when the server
   * trusts its proxy). Default false: loopback HTTP is the embedded default.
   */
  readonly secureCookie?: boolean | 'auto';
  readonly cookieName?: string;
  /** Where index.html, app.css and main.ts are; default: the package's own. */
  readonly webRoot?: string;
  /** A clock for tests. */
  readonly now?: () => number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

const SECURITY_HEADERS = {
  // Nothing but this origin: no CDN, no font service, no inline script.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const errorBody = (code: string, message: string) => ({ code, message, details: [] });

/** The session's key for a read request, or undefined. */
const keyOfRaw = (
  sessions: SessionStore,
  cookieName: string,
  method: string | undefined,
  cookieHeader: string | undefined,
): string | undefined => {
  // Sessions only read: a forged cross-site write has no cookie to ride on even where SameSite fails.
  if (method === undefined || !SAFE_METHODS.has(method)) return undefined;
  const id = cookieValue(cookieHeader, cookieName);
  return id === undefined ? undefined : sessions.get(id)?.secret;
};

/**
 * Serves the plan dashboard at `/` and its session endpoints: `POST /session`
 * exchanges an API key for an HttpOnly, SameSite=Strict cookie, `GET /session`
 * tells the page who it is, `DELETE /session` logs out.
 */
export const dashboardPlugin = fp<DashboardOptions>(
  async (app: FastifyInstance, options: DashboardOptions) => {
    const cookieName = options.cookieName ?? 'nhagiao_session';
    const ttlMs = options.sessionTtlMs ?? 8 * 60 * 60 * 1000;
    const now = options.now ?? Date.now;
    const sessions = createSessionStore({ ttlMs, now });
    const assets = await buildAssets(options.webRoot ?? defaultWebRoot());

    app.decorateRequest('sessionApiKey', {
      getter(this: FastifyRequest) {
        return keyOfRaw(sessions, cookieName, this.method, this.headers.cookie);
      },
    });

    const whoAmI = (reply: FastifyReply, id: string | undefined, strict: boolean) => {
      const session = id === undefined ? undefined : sessions.get(id);
      const key = session === undefined ? undefined : options.keys.verify(session.secret);
      if (session === undefined || key === undefined) {
        // A revoked key ends its sessions at once.
        if (session !== undefined) sessions.close(session.id);
        if (!strict) {
          // Asking whether one is signed in is not a failure: a signed-out visit logs no 401.
          return reply.header('cache-control', 'no-store').send({ signedIn: false });
        }
        return reply
          .code(401)
          .header('cache-control', 'no-store')
          .send(errorBody('unauthenticated', 'no live session: send an API key to POST /session'));
      }
      return reply.header('cache-control', 'no-store').send({
        signedIn: true,
        role: key.role,
        planId: options.planId,
        expiresAt: new Date(session.expiresAt).toISOString(),
      });
    };

    const sendAsset = (request: FastifyRequest, reply: FastifyReply, asset: Asset) => {
      reply
        .headers(SECURITY_HEADERS)
        .header('etag', asset.etag)
        .header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    };

    await app.register(async (scope) => {
      // The API's parsers keep raw text for its own routes; the session route wants plain JSON.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        'application/json',
        { parseAs: 'string', bodyLimit: 4096 },
        (_request, body, done) => {
          try {
            done(null, JSON.parse(body as string) as unknown);
          } catch {
            done(
              Object.assign(new Error('the body is not valid JSON'), {
                statusCode: 400,
                code: 'FST_ERR_CTP_INVALID_JSON_BODY',
              }),
            );
          }
        },
      );

      scope.get('/', (request, reply) => sendAsset(request, reply, assets.index));
      scope.get('/assets/app.js', (request, reply) => sendAsset(request, reply, assets.script));
      scope.get('/assets/app.css', (request, reply) => sendAsset(request, reply, assets.style));
      scope.get('/favicon.svg', (request, reply) => sendAsset(request, reply, assets.icon));
      // Browsers that ask for the classic name get the same drawing.
      scope.get('/favicon.ico', (request, reply) => sendAsset(request, reply, assets.icon));

      const secureFor = (request: FastifyRequest): boolean =>
        options.secureCookie === 'auto'
          ? request.protocol === 'https'
          : (options.secureCookie ?? false);

      // The API's count of failed authentications by address, when the dashboard is served with it.
      const failures = (
        app as {
          failedAuthentication?: {
            refuseIfOver(request: FastifyRequest, reply: FastifyReply): Promise<void>;
            count(request: FastifyRequest): Promise<void>;
          };
        }
      ).failedAuthentication;

      scope.post('/session', async (request, reply) => {
        const body = request.body as { key?: unknown } | null | undefined;
        const secret = typeof body?.key === 'string' ? body.key.trim() : '';
        if (secret === '' || secret.length > 512) {
          return reply
            .code(400)
            .send(errorBody('invalid-request', 'send {"key": "<API key>"} as JSON'));
        }
        await failures?.refuseIfOver(request, reply);
        if (options.keys.verify(secret) === undefined) {
          await failures?.count(request);
          return reply
            .code(401)
            .send(errorBody('unauthenticated', 'the API key is unknown or revoked'));
        }
        const session = sessions.open(secret);
        reply.header(
          'set-cookie',
          sessionCookie(cookieName, session.id, {
            maxAgeSeconds: ttlMs / 1000,
            secure: secureFor(request),
          }),
        );
        return whoAmI(reply, session.id, true);
      });

      scope.get('/session', (request, reply) =>
        whoAmI(reply, cookieValue(request.headers.cookie, cookieName), false),
      );

      scope.delete('/session', (request, reply) => {
        const id = cookieValue(request.headers.cookie, cookieName);
        if (id !== undefined) sessions.close(id);
        return reply
          .code(204)
          .header(
            'set-cookie',
            sessionCookie(cookieName, '', {
              maxAgeSeconds: 0,
              secure: secureFor(request),
            }),
          )
          .send();
      });
    });
  },
  { name: '@nhagiao/dashboard', fastify: '5.x' },
);

/** The API key a request's dashboard session stands for (reads only), or undefined. */
export const sessionKeyFromRequest = (request: FastifyRequest): string | undefined =>
  request.sessionApiKey;
