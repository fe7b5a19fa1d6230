import { DomainError, type FieldIssue, type Result, err, ok } from '../errors.js';
import { parseEnvelope } from '../events/envelope.js';
import type { Envelope } from '../events/schemas.js';

/**
 * The window a business date of a submitted event must lie in (see
 * docs/authority.md): not before 1900, and not more than a year after the day
 * it is recorded, except the dates that are meant to lie ahead (a study's
 * expected end, a certificate's expiry), which may reach 2200.
 */
export const EARLIEST_DATE = '1900-01-01';
export const DAYS_AHEAD = 366;
export const LATEST_AHEAD_DATE = '2200-12-31';
/** Fields that name a date meant to lie ahead. */
export const AHEAD_FIELDS: ReadonlySet<string> = new Set(['expectedOn', 'expiresOn']);
/** Fields that name a date that cannot lie ahead at all. */
const PAST_FIELDS: ReadonlySet<string> = new Set(['birthDate']);

/** Metadata an integrator sends: at most this many keys, each key and value this long, this many bytes in all. */
export const METADATA_LIMITS = { keys: 16, keyChars: 64, valueChars: 500, totalChars: 4096 };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NON_ASCII = /[^\u0000-\u007f]/;

/** `day` (YYYY-MM-DD) plus `n` days. */
export const addDays = (day: string, n: number): string => {
  const t = Date.UTC(
    Number(day.slice(0, 4)),
    Number(day.slice(5, 7)) - 1,
    Number(day.slice(8, 10)),
  );
  return new Date(t + n * 86_400_000).toISOString().slice(0, 10);
};

/**
 * Every string of a JSON value (keys included) in Unicode NFC, so the same
 * text typed two ways is the same text. The value itself when nothing changes
 * (the common case: ASCII ids, text already in NFC), so an import copies nothing.
 */
export const normaliseText = (value: unknown): unknown => {
  if (typeof value === 'string') return NON_ASCII.test(value) ? value.normalize('NFC') : value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const n = normaliseText(v);
      if (n !== v) (out ??= value.slice())[i] = n;
    }
    return out ?? value;
  }
  if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    // Entries are copied only from the first change on; Object.fromEntries keeps a
    // key such as "__proto__" an own property, as JSON.parse made it.
    let out: [string, unknown][] | undefined;
    for (const k in obj) {
      if (!Object.hasOwn(obj, k)) continue;
      const v = obj[k];
      const nk = NON_ASCII.test(k) ? k.normalize('NFC') : k;
      const nv = normaliseText(v);
      if (out === undefined && (nk !== k || nv !== v)) {
        out = [];
        for (const before in obj) {
          if (before === k) break;
          if (Object.hasOwn(obj, before)) out.push([before, obj[before]]);
        }
      }
      out?.push([nk, nv]);
    }
    return out === undefined ? value : Object.fromEntries(out);
  }
  return value;
};

/** The canonical form of an event id: a UUID in lower case. */
export const canonicalId = (id: string): string => id.toLowerCase();

/** Ids in canonical form: the envelope's, and the one a retraction names. */
const canonicalIds = (envelope: Envelope): Envelope => {
  const id = canonicalId(envelope.id);
  if (envelope.type === 'EventRetracted') {
    const eventId = canonicalId(envelope.data.eventId);
    if (id === envelope.id && eventId === envelope.data.eventId) return envelope;
    return { ...envelope, id, data: { ...envelope.data, eventId } };
  }
  return id === envelope.id ? envelope : { ...envelope, id };
};

/** The latest date accepted for a recording day; one day at a time is remembered (a submission has one). */
let latestCache: { readonly day: string; readonly latest: string } | undefined;
const latestFor = (day: string): string => {
  if (latestCache?.day !== day) latestCache = { day, latest: addDays(day, DAYS_AHEAD) };
  return latestCache.latest;
};

/** Why a submitted envelope is not plausible: dates outside the window, an expiry before the issue, metadata too large. */
export const plausibilityIssues = (envelope: Envelope, recordedOn: string): FieldIssue[] => {
  const issues: FieldIssue[] = [];
  const latest = latestFor(recordedOn);
  const data = envelope.data as Record<string, unknown>;
  for (const field in data) {
    const value = data[field];
    if (typeof value !== 'string' || value.length !== 10 || !DATE.test(value)) continue;
    const path = `data.${field}`;
    if (value < EARLIEST_DATE) {
      issues.push({
        path,
        message: `${value} is before ${EARLIEST_DATE}, the earliest date accepted; check the year`,
      });
    } else if (AHEAD_FIELDS.has(field)) {
      if (value > LATEST_AHEAD_DATE)
        issues.push({
          path,
          message: `${value} is after ${LATEST_AHEAD_DATE}, the latest date accepted; check the year`,
        });
    } else if (PAST_FIELDS.has(field) ? value > recordedOn : value > latest) {
      issues.push({
        path,
        message: PAST_FIELDS.has(field)
          ? `${value} is after today (${recordedOn}); check the year`
          : `${value} is more than ${DAYS_AHEAD} days after today (${recordedOn}), the latest date accepted for ${field}; record the event nearer the day, or check the year`,
      });
    }
  }
  if (envelope.type === 'CertificateIssued') {
    const { issuedOn, expiresOn } = envelope.data;
    if (expiresOn !== undefined && expiresOn < issuedOn)
      issues.push({
        path: 'data.expiresOn',
        message: `${expiresOn} is before issuedOn ${issuedOn}; a certificate expires on or after the day it is issued`,
      });
  }
  const metadata = envelope.metadata;
  if (metadata !== undefined) {
    const entries = Object.entries(metadata);
    if (entries.length > METADATA_LIMITS.keys)
      issues.push({
        path: 'metadata',
        message: `has ${entries.length} keys; at most ${METADATA_LIMITS.keys} are accepted`,
      });
    let total = 0;
    for (const [k, v] of entries) {
      total += k.length + v.length;
      if (k.length > METADATA_LIMITS.keyChars)
        issues.push({
          path: `metadata.${k.slice(0, 40)}…`,
          message: `a metadata key is at most ${METADATA_LIMITS.keyChars} characters; shorten it`,
        });
      else if (v.length > METADATA_LIMITS.valueChars)
        issues.push({
          path: `metadata.${k}`,
          message: `is ${v.length} characters; at most ${METADATA_LIMITS.valueChars} are accepted`,
        });
    }
    if (total > METADATA_LIMITS.totalChars)
      issues.push({
        path: 'metadata',
        message: `holds ${total} characters in all; at most ${METADATA_LIMITS.totalChars} are accepted`,
      });
  }
  return issues;
};

/**
 * An envelope as the write side takes it in: text in NFC, then validated
 * (`parseEnvelope`), ids in canonical (lower-case) form, dates in the window,
 * metadata bounded. `recordedOn` is the day of recording in Vietnam. Stored
 * events are read with `parseEnvelope` alone, so a log written before these
 * checks stays readable.
 */
export const parseSubmitted = (input: unknown, recordedOn: string): Result<Envelope> => {
  const parsed = parseEnvelope(normaliseText(input));
  if (!parsed.ok) return parsed;
  const envelope = canonicalIds(parsed.value);
  const issues = plausibilityIssues(envelope, recordedOn);
  if (issues.length === 0) return ok(envelope);
  return err(
    new DomainError('implausible', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues),
  );
};
