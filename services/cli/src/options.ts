import type { Language } from '@nhagiao/domain';
import type { ParallelOptions } from '@nhagiao/projector';
import { usageError } from './errors.js';

export const formatOption = <F extends string>(
  value: unknown,
  allowed: readonly F[],
  fallback: F,
): F => {
  const v = value ?? fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as F;
  throw usageError(`--format ${String(v)}: expected one of ${allowed.join(', ')}`);
};

export const langOption = (value: unknown, env: NodeJS.ProcessEnv): Language => {
  const v = value ?? env.NHAGIAO_LANG ?? 'vi';
  if (v === 'vi' || v === 'en') return v;
  throw usageError(`--lang ${String(v)}: expected vi or en`);
};

export const choiceOption = <C extends string>(
  value: unknown,
  flag: string,
  allowed: readonly C[],
  fallback: C,
): C => {
  const v = value ?? fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as C;
  throw usageError(`${flag} ${String(v)}: expected one of ${allowed.join(', ')}`);
};

/** JSON with bigints as decimal strings. */
export const toJson = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);

export const WORKERS_HELP = `  --workers N         processes to replay in (default: one per core, when the log
                      holds 100,000 events or more); 1 replays in this one`;

/**
 * `--workers N`: absent, the command's default for long logs; N, exactly N
 * worker processes whatever the log's length.
 */
export const workersOption = (value: unknown): ParallelOptions => {
  if (value === undefined) return {};
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw usageError(`--workers ${String(value)}: expected a whole number from 1 to 64`);
  return { workers: n, minEvents: 0 };
};
