import path from 'node:path';
import { usageError } from './errors.js';
import type { OptionSpec } from './command.js';

export const DEFAULT_DATA_DIR = '.nhagiao';

/** Options every command that touches data accepts. */
export const dataOptions: OptionSpec = {
  'data-dir': { type: 'string' },
  store: { type: 'string' },
  readmodel: { type: 'string' },
};

export const dataOptionsHelp = `  --data-dir DIR      where the embedded store and read model live
                      (default: $NHAGIAO_DATA_DIR, else ./${DEFAULT_DATA_DIR})
  --store URL         sqlite:PATH (default DIR/events.sqlite) or esdb://HOST:PORT?tls=false
                      (or $NHAGIAO_STORE)
  --readmodel URL     sqlite:PATH (default DIR/readmodel.sqlite) or postgres://USER@HOST/DB
                      (or $NHAGIAO_READMODEL)`;

export interface DataConfig {
  readonly dataDir: string;
  readonly store:
    | { readonly kind: 'sqlite'; readonly path: string }
    | { readonly kind: 'esdb'; readonly url: string };
  readonly readModel:
    | { readonly kind: 'sqlite'; readonly path: string }
    | { readonly kind: 'postgres'; readonly url: string };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Resolves where data lives from flags, then the environment, then the defaults. */
export const dataConfig = (
  values: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
): DataConfig => {
  const dataDir = path.resolve(
    str(values['data-dir']) ?? str(env.NHAGIAO_DATA_DIR) ?? DEFAULT_DATA_DIR,
  );
  // `esdb:esdb://…` and `postgres:postgres://…` (the `KIND:URL` form) mean the bare URL.
  const storeUrl = (str(values.store) ?? str(env.NHAGIAO_STORE))?.replace(
    /^esdb:(?=esdb(\+discover)?:\/\/)/,
    '',
  );
  const readModelUrl = (str(values.readmodel) ?? str(env.NHAGIAO_READMODEL))?.replace(
    /^postgres:(?=postgres(ql)?:\/\/)/,
    '',
  );
  const store: DataConfig['store'] =
    storeUrl === undefined
      ? { kind: 'sqlite', path: path.join(dataDir, 'events.sqlite') }
      : storeUrl.startsWith('sqlite:')
        ? { kind: 'sqlite', path: path.resolve(storeUrl.slice('sqlite:'.length)) }
        : storeUrl.startsWith('esdb://') || storeUrl.startsWith('esdb+discover://')
          ? { kind: 'esdb', url: storeUrl }
          : (() => {
              throw usageError(`--store ${storeUrl}: expected sqlite:PATH or esdb://HOST:PORT`);
            })();
  const readModel: DataConfig['readModel'] =
    readModelUrl === undefined
      ? { kind: 'sqlite', path: path.join(dataDir, 'readmodel.sqlite') }
      : readModelUrl.startsWith('sqlite:')
        ? { kind: 'sqlite', path: path.resolve(readModelUrl.slice('sqlite:'.length)) }
        : readModelUrl.startsWith('postgres://') || readModelUrl.startsWith('postgresql://')
          ? { kind: 'postgres', url: readModelUrl }
          : (() => {
              throw usageError(`--readmodel ${readModelUrl}: expected sqlite:PATH or postgres://…`);
            })();
  return { dataDir, store, readModel };
};
