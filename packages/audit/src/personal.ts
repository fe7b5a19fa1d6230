import { randomBytes } from 'node:crypto';
import type { RecordedEvent } from '@nhagiao/domain';
import { sha256 } from './hash.js';
import { canonicalJson } from './jcs.js';

/**
 * The fields of an event that identify a person (Decree 13/2023/NĐ-CP: name,
 * birth date, gender; ethnicity is sensitive data). A leaf never commits to
 * them in clear, nor by a plain hash a guess could confirm: each is replaced, in
 * the data the leaf digests, by `{"$salted": hex SHA-256(salt ‖ JCS(value))}`
 * with a random salt per event kept beside the event (the audit file), so the
 * data can be erased later while the commitment, and every proof, stays.
 */
export const PERSONAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  TeacherRegistered: ['fullName', 'birthDate', 'gender', 'ethnicity'],
};

export const SALT_BYTES = 16;

/** What is kept beside an event with personal data: its salt (null once erased) and the commitments. */
export interface PersonalCommitment {
  readonly salt: Buffer | null;
  /** Field → hex SHA-256(salt ‖ UTF-8 of the JCS of the value). */
  readonly commitments: Readonly<Record<string, string>>;
}

/** Where a leaf finds the salts of events (the audit file's table, an exported bundle). */
export interface PersonalSalts {
  get(eventId: string): PersonalCommitment | undefined;
}

export const NO_SALTS: PersonalSalts = { get: () => undefined };

const EMPTY = Buffer.alloc(0);

export const commitmentOf = (salt: Uint8Array, value: unknown): string =>
  sha256(salt, Buffer.from(canonicalJson(value), 'utf8')).toString('hex');

const personalValues = (event: RecordedEvent): [string, unknown][] | undefined => {
  const fields = PERSONAL_FIELDS[event.type];
  if (fields === undefined) return undefined;
  const data = event.data as Record<string, unknown>;
  const present = fields
    .filter((f) => data[f] !== undefined)
    .map((f) => [f, data[f]] as [string, unknown]);
  return present.length === 0 ? undefined : present;
};

/** A fresh salt and the commitments to an event's personal fields; undefined when it has none. */
export const newCommitment = (event: RecordedEvent): PersonalCommitment | undefined => {
  const values = personalValues(event);
  if (values === undefined) return undefined;
  const salt = randomBytes(SALT_BYTES);
  return {
    salt,
    commitments: Object.fromEntries(values.map(([f, v]) => [f, commitmentOf(salt, v)])),
  };
};

/**
 * The data a leaf digests: the event's data with every personal field replaced
 * by its salted commitment, recomputed from the value when the event still has
 * it (a changed name changes the leaf), taken as kept when the value was erased.
 * Without a salt (an event no checkpoint covers yet), the salt is empty, so the
 * leaf cannot match one signed with the salt.
 */
export const redactedData = (event: RecordedEvent, salts: PersonalSalts): unknown => {
  const fields = PERSONAL_FIELDS[event.type];
  if (fields === undefined) return event.data;
  const data = event.data as Record<string, unknown>;
  const kept = salts.get(event.id);
  const out: Record<string, unknown> = { ...data };
  for (const f of fields) {
    const value = data[f];
    const commitment = kept?.commitments[f];
    if (value !== undefined) out[f] = { $salted: commitmentOf(kept?.salt ?? EMPTY, value) };
    else if (commitment !== undefined) out[f] = { $salted: commitment };
  }
  return out;
};

/** The event with its personal fields removed, as it reads once the person's data is erased. */
export const withoutPersonalData = (event: RecordedEvent): RecordedEvent => {
  const fields = PERSONAL_FIELDS[event.type];
  if (fields === undefined) return event;
  const data = { ...(event.data as Record<string, unknown>) };
  for (const f of fields) delete data[f];
  return { ...event, data } as RecordedEvent;
};
