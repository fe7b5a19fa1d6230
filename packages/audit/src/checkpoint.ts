import { HASH_SIZE } from './hash.js';
import { checkNote, parseNote, signNote } from './signed-note.js';
import { isValidKeyName, parseSigningKey, parseVerifierKey } from './signing-key.js';

/** A signed tree head: the tree of `size` leaves had root `rootHash` at `time`. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  /** ISO-8601 UTC instant, carried as the extension line `time <instant>`. */
  readonly time: string;
  /** Extension lines other than the time, as read. */
  readonly extensions: readonly string[];
}

export type CheckpointInput = Pick<Checkpoint, 'origin' | 'size' | 'rootHash' | 'time'>;

export type CheckpointFailure =
  /** Not a signed note, or its text is not a checkpoint with a time line. */
  | 'malformed'
  /** No signature line from the given key (signed by another key, or unsigned). */
  | 'wrong-key'
  /** A line claims the given key but its signature does not verify: the text or signature was altered. */
  | 'bad-signature'
  /** Signed by the key, but for another log than the one expected. */
  | 'wrong-origin';

export type CheckpointVerdict =
  | { readonly ok: true; readonly checkpoint: Checkpoint }
  | { readonly ok: false; readonly reason: CheckpointFailure; readonly message: string };

const TIME_PREFIX = 'time ';
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const isInstant = (s: string): boolean => INSTANT.test(s) && !Number.isNaN(Date.parse(s));

/** The note text of a checkpoint (tlog-checkpoint: origin, size, base64 root, extension lines). */
export const formatCheckpointText = (c: CheckpointInput): string => {
  if (!isValidKeyName(c.origin))
    throw new RangeError('origin must be non-empty, without spaces or +');
  if (!Number.isSafeInteger(c.size) || c.size < 0)
    throw new RangeError(`tree size ${c.size} is not a count`);
  if (c.rootHash.length !== HASH_SIZE) throw new RangeError('root hash must be 32 bytes');
  if (!isInstant(c.time)) throw new RangeError(`time ${c.time} is not an ISO-8601 UTC instant`);
  return `${c.origin}\n${c.size}\n${c.rootHash.toString('base64')}\n${TIME_PREFIX}${c.time}\n`;
};

/** Signs a checkpoint with a `PRIVATE+KEY+…` key; returns the signed note text. */
export const signCheckpoint = (checkpoint: CheckpointInput, privateKey: string): string =>
  signNote(formatCheckpointText(checkpoint), parseSigningKey(privateKey));

/** Reads a checkpoint's note text (without checking any signature); a message says what is wrong. */
export const parseCheckpointText = (
  text: string,
): { ok: true; checkpoint: Checkpoint } | { ok: false; message: string } => {
  if (!text.endsWith('\n'))
    return { ok: false, message: 'checkpoint text must end with a newline' };
  const lines = text.slice(0, -1).split('\n');
  const [origin, size, root, ...rest] = lines;
  if (origin === undefined || size === undefined || root === undefined) {
    return { ok: false, message: 'a checkpoint has at least origin, size and root lines' };
  }
  if (lines.some((l) => l.length === 0))
    return { ok: false, message: 'checkpoint lines must not be empty' };
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
    return { ok: false, message: `tree size "${size}" is not a decimal count` };
  }
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== HASH_SIZE || rootHash.toString('base64') !== root) {
    return { ok: false, message: 'root hash is not base64 of 32 bytes' };
  }
  const timeLines = rest.filter((l) => l.startsWith(TIME_PREFIX));
  const time = timeLines[0]?.slice(TIME_PREFIX.length);
  if (timeLines.length !== 1 || time === undefined || !isInstant(time)) {
    return { ok: false, message: 'expected exactly one "time <ISO-8601 UTC>" line' };
  }
  return {
    ok: true,
    checkpoint: {
      origin,
      size: Number(size),
      rootHash,
      time,
      extensions: rest.filter((l) => !l.startsWith(TIME_PREFIX)),
    },
  };
};

/**
 * Reads a signed checkpoint WITHOUT verifying it (for display, or to look at a
 * checkpoint that failed verification). Throws a RangeError when malformed.
 */
export const parseCheckpoint = (note: string): Checkpoint => {
  const parsed = parseNote(note);
  if (parsed === null) throw new RangeError('not a signed note');
  const body = parseCheckpointText(parsed.text);
  if (!body.ok) throw new RangeError(body.message);
  return body.checkpoint;
};

/**
 * Verifies a signed checkpoint against the auditor's public key
 * (`<name>+<id>+<data>`) and reads it. Only a verified checkpoint is returned;
 * otherwise the reason says which check failed.
 */
export const verifyCheckpoint = (
  note: string,
  publicKey: string,
  options: { readonly origin?: string } = {},
): CheckpointVerdict => {
  const verifier = parseVerifierKey(publicKey);
  const parsed = parseNote(note);
  if (parsed === null) {
    return {
      ok: false,
      reason: 'malformed',
      message: 'not a signed note (text, blank line, signature lines)',
    };
  }
  const check = checkNote(parsed, verifier);
  if (check === 'not-signed-by-key') {
    const by = parsed.signatures.map((s) => `${s.name}+${s.keyId.toString('hex')}`).join(', ');
    return {
      ok: false,
      reason: 'wrong-key',
      message: `not signed by ${verifier.name}+${verifier.keyId.toString('hex')}${by ? ` (signed by ${by})` : ''}`,
    };
  }
  if (check === 'bad-signature') {
    return {
      ok: false,
      reason: 'bad-signature',
      message: `the signature of ${verifier.name} does not match the text`,
    };
  }
  const body = parseCheckpointText(parsed.text);
  if (!body.ok) return { ok: false, reason: 'malformed', message: body.message };
  const expected = options.origin ?? verifier.name;
  if (body.checkpoint.origin !== expected) {
    return {
      ok: false,
      reason: 'wrong-origin',
      message: `checkpoint is for log "${body.checkpoint.origin}", expected "${expected}"`,
    };
  }
  return { ok: true, checkpoint: body.checkpoint };
};
