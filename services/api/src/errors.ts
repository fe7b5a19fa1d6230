import * as z from 'zod';

/** One field that is wrong, and why. */
export const errorDetailSchema = z.object({ path: z.string(), message: z.string() });

/** The one error body of every response that is not a success. */
export const errorBodySchema = z
  .object({
    code: z.string(),
    message: z.string(),
    details: z.array(errorDetailSchema),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

/** An error the API answers with: a status, a stable code, a message a person can act on. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  body(): ErrorBody {
    return { code: this.code, message: this.message, details: [...this.details] };
  }
}

/**
 * HTTP status of a rejection code (domain, ingest or store), in one place.
 * Domain rules are 422; the envelope not parsing is 400.
 */
export const statusOfCode = (code: string): number => {
  switch (code) {
    case 'invalid-envelope':
    case 'invalid-json':
      return 400;
    case 'forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'id-conflict':
    case 'concurrency':
      return 409;
    case 'store-unavailable':
    case 'store-locked':
      return 503;
    default:
      return 422;
  }
};
