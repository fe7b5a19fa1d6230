import type { RecordedEvent } from '@nhagiao/domain';
import { canonicalJson, quoteJson } from './jcs.js';
import { HASH_SIZE, hashTextLeaf, sha256Latin1, sha256TextHex } from './hash.js';
import { NO_SALTS, PERSONAL_FIELDS, type PersonalSalts, redactedData } from './personal.js';

/** The fields of an event that its leaf commits to; digests are SHA-256 hex of the JCS form. */
export interface LeafFields {
  readonly position: string;
  readonly stream: string;
  readonly revision: string;
  readonly eventId: string;
  readonly type: string;
  readonly recordedAt: string;
  readonly dataDigest: string;
  readonly metadataDigest: string;
}

const digest = (value: unknown): string => sha256TextHex(canonicalJson(value));

/**
 * Metadata is a few keys from a small set of values (the source, the submitting
 * key), so most events repeat one seen before: remembering the digest per
 * canonical text saves a SHA-256 per event. Bounded, for a log that does not.
 */
const METADATA_DIGESTS_KEPT = 256;
const metadataDigests = new Map<string, string>();
const metadataDigest = (metadata: unknown): string => {
  const text = canonicalJson(metadata);
  let hex = metadataDigests.get(text);
  if (hex === undefined) {
    hex = sha256TextHex(text);
    if (metadataDigests.size >= METADATA_DIGESTS_KEPT) metadataDigests.clear();
    metadataDigests.set(text, hex);
  }
  return hex;
};

/** The digest of the data a leaf commits to: personal fields as salted commitments (see personal.ts). */
const dataDigest = (event: RecordedEvent, salts: PersonalSalts): string =>
  PERSONAL_FIELDS[event.type] === undefined
    ? digest(event.data)
    : digest(redactedData(event, salts));

export const leafFields = (event: RecordedEvent, salts: PersonalSalts = NO_SALTS): LeafFields => ({
  position: event.position.toString(10),
  stream: event.stream,
  revision: event.revision.toString(10),
  eventId: event.id,
  type: event.type,
  recordedAt: event.recordedAt,
  dataDigest: dataDigest(event, salts),
  metadataDigest: metadataDigest(event.metadata),
});

/**
 * The leaf text of an event: the RFC 8785 canonical JSON of its {@link LeafFields}.
 * Every field is a string, so the object is written directly in JCS key order
 * (the tests check it equals `canonicalize`'s output); hex digests and decimal
 * integers need no escaping. This is the hot path of a full verification.
 */
const leafText = (event: RecordedEvent, salts: PersonalSalts): string =>
  `{"dataDigest":"${dataDigest(event, salts)}","eventId":${quoteJson(event.id)},` +
  `"metadataDigest":"${metadataDigest(event.metadata)}","position":"${event.position}",` +
  `"recordedAt":${quoteJson(event.recordedAt)},"revision":"${event.revision}",` +
  `"stream":${quoteJson(event.stream)},"type":${quoteJson(event.type)}}`;

/** The leaf bytes of an event (UTF-8 of its canonical JSON); `salts` hold its personal data's salt. */
export const encodeLeaf = (event: RecordedEvent, salts: PersonalSalts = NO_SALTS): Buffer =>
  Buffer.from(leafText(event, salts), 'utf8');

/** RFC 6962 leaf hash of an event: SHA-256(0x00 ‖ encodeLeaf(event, salts)). */
export const eventLeafHash = (event: RecordedEvent, salts: PersonalSalts = NO_SALTS): Buffer =>
  hashTextLeaf(leafText(event, salts));

/**
 * {@link eventLeafHash} written into `target` at `offset`, for a caller that
 * copies it on (a tree append) and would only throw a fresh Buffer away.
 */
export const writeEventLeafHash = (
  event: RecordedEvent,
  target: Buffer,
  offset = 0,
  salts: PersonalSalts = NO_SALTS,
): void => {
  target.write(sha256Latin1(`\u0000${leafText(event, salts)}`), offset, HASH_SIZE, 'latin1');
};
