import type { FastifyInstance } from 'fastify';

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface HttpRequest {
  readonly method?: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly payload?: string | Buffer;
}

/**
 * Requests over a real loopback socket. (Fastify's `inject` needs the ESM-only
 * `cookie` package, which jest's CommonJS transform does not load.)
 */
export const listenForTests = async (app: FastifyInstance) => {
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return async ({
    method = 'GET',
    url,
    headers = {},
    payload,
  }: HttpRequest): Promise<HttpResponse> => {
    const res = await fetch(address + url, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const body = await res.text();
    return {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers.entries()),
      body,
      json: <T>() => JSON.parse(body) as T,
    };
  };
};
