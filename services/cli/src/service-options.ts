import pino from 'pino';
import pinoPretty from 'pino-pretty';
import type { OptionSpec } from './command.js';
import { usageError } from './errors.js';

/**
 * The flags of the long-running roles (relay, project) and of status, each
 * with the environment variable of the same meaning (flags win).
 */
type Values = Readonly<Record<string, unknown>>;

const pick = (values: Values, env: NodeJS.ProcessEnv, flag: string, variable: string) => {
  const v = values[flag];
  if (typeof v === 'string' && v !== '') return { value: v, from: `--${flag}` };
  const e = env[variable];
  if (e !== undefined && e !== '') return { value: e, from: variable };
  return undefined;
};

/**
 * `--nats URL`, else `NHAGIAO_NATS_URL` (or the older `NHAGIAO_NATS`). No
 * default: a process that silently connected to whatever listens on
 * 127.0.0.1:4222 could publish to, or project from, the wrong cluster.
 */
export const natsUrlOption = (values: Values, env: NodeJS.ProcessEnv): string => {
  const got =
    pick(values, env, 'nats', 'NHAGIAO_NATS_URL') ?? pick(values, env, 'nats', 'NHAGIAO_NATS');
  if (got === undefined)
    throw usageError(
      'no NATS server given: pass --nats nats://HOST:4222[,nats://HOST2:4222…] or set NHAGIAO_NATS_URL',
    );
  return got.value;
};

/** A duration: `1500`, `1500ms`, `3s` or `1m`, in milliseconds. */
export const durationOption = (
  values: Values,
  env: NodeJS.ProcessEnv,
  flag: string,
  variable: string,
  fallback: number,
): number => {
  const got = pick(values, env, flag, variable);
  if (got === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(got.value.trim());
  const ms = m === null ? NaN : Number(m[1]) * (m[2] === 's' ? 1_000 : m[2] === 'm' ? 60_000 : 1);
  if (!Number.isFinite(ms) || ms < 100 || ms > 3_600_000)
    throw usageError(
      `${got.from} ${got.value}: expected a duration from 100ms to 1h, e.g. 3s, 1500ms or 1500`,
    );
  return Math.round(ms);
};

/** A whole number from `min` to `max`. */
export const countOption = (
  values: Values,
  env: NodeJS.ProcessEnv,
  flag: string,
  variable: string,
  fallback: number,
  [min, max]: readonly [number, number],
): number => {
  const got = pick(values, env, flag, variable);
  if (got === undefined) return fallback;
  const n = /^\d+$/.test(got.value.trim()) ? Number(got.value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw usageError(`${got.from} ${got.value}: expected a whole number from ${min} to ${max}`);
  return n;
};

export const stringOption = (
  values: Values,
  env: NodeJS.ProcessEnv,
  flag: string,
  variable: string,
): string | undefined => pick(values, env, flag, variable)?.value;

/** Flags every long-running role takes. */
export const serviceOptions: OptionSpec = {
  nats: { type: 'string' },
  listen: { type: 'string' },
  'lease-ttl': { type: 'string' },
  replicas: { type: 'string' },
  'ready-lag': { type: 'string' },
  'log-format': { type: 'string' },
};

export const serviceOptionsHelp = `  --nats URL          NATS server(s), comma-separated (or $NHAGIAO_NATS_URL); required
  --listen HOST:PORT  serve /healthz, /readyz and /metrics (Prometheus) there
                      (or $NHAGIAO_LISTEN; e.g. 127.0.0.1:9464; default: not served)
  --lease-ttl DUR     a dead holder's lease is taken over after this long
                      (or $NHAGIAO_LEASE_TTL; default 3s)
  --replicas N        replicas of what this creates in JetStream: 3 on a 3-node
                      cluster (or $NHAGIAO_REPLICAS; default 1)
  --ready-lag N       /readyz fails past this many events behind (or $NHAGIAO_READY_LAG; default 1000)
  --log-format F      json (one object a line) or pretty (or $NHAGIAO_LOG_FORMAT;
                      default pretty on a terminal, else json)`;

export interface ServiceConfig {
  readonly natsUrl: string;
  readonly listen?: string;
  readonly leaseTtlMs: number;
  readonly replicas: number;
  readonly readyLagEvents: number;
  readonly logFormat: 'json' | 'pretty';
}

export const serviceConfig = (
  values: Values,
  env: NodeJS.ProcessEnv,
  stream: { readonly isTTY?: boolean },
): ServiceConfig => {
  const listen = stringOption(values, env, 'listen', 'NHAGIAO_LISTEN');
  const format = stringOption(values, env, 'log-format', 'NHAGIAO_LOG_FORMAT');
  if (format !== undefined && format !== 'json' && format !== 'pretty')
    throw usageError(`--log-format ${format}: expected json or pretty`);
  return {
    natsUrl: natsUrlOption(values, env),
    ...(listen === undefined ? {} : { listen }),
    leaseTtlMs: durationOption(values, env, 'lease-ttl', 'NHAGIAO_LEASE_TTL', 3_000),
    replicas: countOption(values, env, 'replicas', 'NHAGIAO_REPLICAS', 1, [1, 5]),
    readyLagEvents: countOption(values, env, 'ready-lag', 'NHAGIAO_READY_LAG', 1_000, [0, 1e12]),
    logFormat: format ?? (stream.isTTY === true ? 'pretty' : 'json'),
  };
};

const plain = (fields: Record<string, unknown> | undefined): Record<string, unknown> =>
  fields === undefined
    ? {}
    : Object.fromEntries(
        Object.entries(fields).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
      );

/**
 * The log of a long-running role (pino): one JSON object a line on `stream`
 * (time, level, role, message, fields), or the same as readable lines when
 * `pretty` (a terminal).
 */
export const serviceLogger = (
  stream: NodeJS.WritableStream,
  role: string,
  format: 'json' | 'pretty',
) => {
  const destination =
    format === 'pretty'
      ? pinoPretty({
          destination: stream,
          sync: true,
          colorize: (stream as { isTTY?: boolean }).isTTY === true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,role',
          messageKey: 'message',
        })
      : stream;
  const log = pino(
    {
      base: { role },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return {
    info: (m: string, f?: Record<string, unknown>) => log.info(plain(f), m),
    warn: (m: string, f?: Record<string, unknown>) => log.warn(plain(f), m),
    error: (m: string, f?: Record<string, unknown>) => log.error(plain(f), m),
  };
};
