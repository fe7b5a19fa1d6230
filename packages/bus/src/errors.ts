import { NatsError } from 'nats';

/** Stable codes of the errors the bus raises. */
export type BusErrorCode =
  | 'stream-misconfigured'
  | 'undecodable-message'
  | 'publish-failed'
  | 'publisher-closed'
  | 'lease-lost'
  | 'foreign-message';

/** An error of the transport, with a stable `code`; the client's error is kept as `cause`. */
export class BusError extends Error {
  override readonly name = 'BusError';
  constructor(
    readonly code: BusErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** JetStream's answer that a stream does not exist (API error 10059, or a 404 status). */
export const isStreamNotFound = (error: unknown): boolean =>
  error instanceof NatsError &&
  (error.api_error?.err_code === 10059 ||
    error.code === '404' ||
    /stream not found/i.test(error.message));

/** JetStream's answer that a consumer does not exist (API error 10014), or the consumer was deleted under a pull. */
export const isConsumerNotFound = (error: unknown): boolean =>
  error instanceof NatsError &&
  (error.api_error?.err_code === 10014 || /consumer (not found|deleted)/i.test(error.message));
