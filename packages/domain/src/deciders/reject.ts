import { DomainError, type DomainErrorCode, type Result, err, ok } from '../errors.js';
import type { Envelope } from '../events/schemas.js';

/** A rejection naming the field: `data.hiredOn: must not precede …`. */
export const reject = (code: DomainErrorCode, path: string, message: string): Result<never> =>
  err(DomainError.field(code, path, message));

/** Every decider of contract v1 accepts an envelope as the one event it records. */
export const accept = (envelope: Envelope): Result<Envelope[]> => ok([envelope]);
