import type { RecordedEvent } from '@nhagiao/domain';
import { canonicalJson } from './jcs.js';
import { hashTextLeaf, sha256TextHex } from './hash.js';

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

export const leafFields = (event: RecordedEvent): LeafFields => ({
  position: event.position.toString(10),
  stream: event.stream,
  revision: event.revision.toString(10),
  eventId: event.id,
  type: event.type,
  recordedAt: event.recordedAt,
  dataDigest: digest(event.data),
  metadataDigest: digest(event.metadata),
});

const str = JSON.stringify;

/**
 * The leaf text of an event: the RFC 8785 canonical JSON of its {@link LeafFields}.
 * Every field is a string, and JCS writes strings exactly as JSON.stringify does
 * and orders keys by UTF-16 code units, so the object is written directly in that
 * order (the tests check it equals `canonicalize`'s output); this is the hot path
 * of a full verification.
 */
const leafText = (event: RecordedEvent): string => {
  const f = leafFields(event);
  return (
    `{"dataDigest":${str(f.dataDigest)},"eventId":${str(f.eventId)},` +
    `"metadataDigest":${str(f.metadataDigest)},"position":${str(f.position)},` +
    `"recordedAt":${str(f.recordedAt)},"revision":${str(f.revision)},` +
    `"stream":${str(f.stream)},"type":${str(f.type)}}`
  );
};

/** The leaf bytes of an event (UTF-8 of its canonical JSON). */
export const encodeLeaf = (event: RecordedEvent): Buffer => Buffer.from(leafText(event), 'utf8');

/** RFC 6962 leaf hash of an event: SHA-256(0x00 ‖ encodeLeaf(event)). */
export const eventLeafHash = (event: RecordedEvent): Buffer => hashTextLeaf(leafText(event));
