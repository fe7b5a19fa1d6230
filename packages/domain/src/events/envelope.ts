import type { z } from 'zod';
import { DomainError, type FieldIssue, type Result, err, ok } from '../errors.js';
import {
  EVENT_TYPES,
  type Envelope,
  type EventType,
  eventDataSchemas,
  metadataSchema,
} from './schemas.js';
import { uuid } from './primitives.js';

const ENVELOPE_KEYS = new Set(['id', 'type', 'data', 'metadata']);
const KNOWN_TYPES = new Set<string>(EVENT_TYPES);

const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (acc, key) =>
      typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key),
    '',
  );

const describeType = (v: unknown): string =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'an object'
        : typeof v === 'string'
          ? 'text'
          : typeof v;

const EXPECTED: Record<string, string> = {
  array: 'a list',
  object: 'an object',
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (v, key) =>
      typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined,
    root,
  );

/** Turns zod's issues about `input` into field issues worded for a clerk. */
export const toFieldIssues = (
  error: z.ZodError,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): FieldIssue[] =>
  error.issues.flatMap((issue): FieldIssue[] => {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          path: formatPath([...path, key]),
          message: 'is not a field of this event type',
        }));
      case 'invalid_type': {
        const got = valueAt(input, issue.path);
        return [
          {
            path: formatPath(path),
            message:
              got === undefined
                ? 'is required'
                : `must be ${EXPECTED[issue.expected] ?? issue.expected} (got ${describeType(got)})`,
          },
        ];
      }
      case 'invalid_value':
        return [
          {
            path: formatPath(path),
            message: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
          },
        ];
      // zod's own message, already about the field (a refinement's, a bound's, …).
      case 'custom':
      case 'invalid_element':
      case 'invalid_format':
      case 'invalid_key':
      case 'invalid_union':
      case 'not_multiple_of':
      case 'too_big':
      case 'too_small':
      default:
        return [{ path: formatPath(path), message: issue.message }];
    }
  });

const invalid = (issues: FieldIssue[]): Result<never> =>
  err(
    new DomainError(
      'invalid-envelope',
      issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
      issues,
    ),
  );

/**
 * Validates one envelope (docs/events.md § Envelopes). On failure every problem found is listed,
 * each naming its field path (`data.hiredOn`) and why.
 */
export const parseEnvelope = (input: unknown): Result<Envelope> => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return invalid([
      { path: '', message: `an event must be a JSON object (got ${describeType(input)})` },
    ]);
  }
  const raw = input as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(raw)) {
    if (!ENVELOPE_KEYS.has(key))
      issues.push({
        path: key,
        message: 'is not a field of an envelope (id, type, data, metadata)',
      });
  }
  const id = uuid.safeParse(raw.id);
  if (!id.success) issues.push(...toFieldIssues(id.error, raw.id, ['id']));
  if (raw.metadata !== undefined) {
    const metadata = metadataSchema.safeParse(raw.metadata);
    if (!metadata.success)
      issues.push(...toFieldIssues(metadata.error, raw.metadata, ['metadata']));
  }
  if (typeof raw.type !== 'string' || !KNOWN_TYPES.has(raw.type)) {
    issues.push({
      path: 'type',
      message:
        raw.type === undefined
          ? 'is required'
          : `${JSON.stringify(raw.type)} is not an event type of contract v1`,
    });
    return invalid(issues);
  }
  const type = raw.type as EventType;
  const data = eventDataSchemas[type].safeParse(raw.data);
  if (!data.success) issues.push(...toFieldIssues(data.error, raw.data, ['data']));
  if (issues.length > 0) return invalid(issues);
  const envelope = { id: raw.id as string, type, data: data.data } as Envelope;
  if (raw.metadata !== undefined) envelope.metadata = raw.metadata as Record<string, string>;
  return ok(envelope);
};
