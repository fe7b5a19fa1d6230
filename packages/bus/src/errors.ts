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
