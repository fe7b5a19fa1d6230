import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AuditLog,
  SqliteAuditStore,
  type WitnessEndpoint,
  parseCosignatureVerifier,
  parseSigningKey,
  parseVerifierKey,
} from '@nhagiao/audit';
import type { EventStore } from '@nhagiao/eventstore';
import type { DataConfig } from '../config.js';
import { CliError } from '../errors.js';

/** Files of the audit trail in the data directory. */
export const auditFiles = (config: DataConfig) => ({
  /** Leaf table and saved checkpoints. */
  audit: path.join(config.dataDir, 'audit.sqlite'),
  /** The log's Ed25519 signing key, `PRIVATE+KEY+…`, mode 0600. */
  signingKey: path.join(config.dataDir, 'audit-signing.key'),
  /** What auditors hold. */
  publicKey: path.join(config.dataDir, 'audit-public.key'),
  /** The witnesses every new checkpoint is sent to: `<witness verifier key> <URL>` a line. */
  witnesses: path.join(config.dataDir, 'audit-witnesses'),
});

/** The configured witnesses (none when the file is absent); a bad line is named with what to fix. */
export const readWitnesses = (config: DataConfig): WitnessEndpoint[] => {
  const file = auditFiles(config).witnesses;
  if (!existsSync(file)) return [];
  const out: WitnessEndpoint[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const [key, url, ...rest] = line.split(/\s+/);
      if (key === undefined || url === undefined || rest.length > 0 || !/^https?:\/\//.test(url))
        throw new CliError(
          `${file}:${i + 1}: expected "<witness verifier key> <http(s) URL>", as \`nhagiao witness init\` prints the key`,
        );
      try {
        parseCosignatureVerifier(key);
      } catch (e) {
        throw new CliError(`${file}:${i + 1}: ${(e as Error).message}`);
      }
      out.push({ key, url });
    });
  return out;
};

/** The private key and the origin (its name) that checkpoints are signed under. */
export const readSigningKey = (config: DataConfig): { privateKey: string; origin: string } => {
  const file = auditFiles(config).signingKey;
  if (!existsSync(file)) {
    throw new CliError(
      `no signing key at ${file}: create one with \`nhagiao signing init\` (the operator of the log does this once)`,
    );
  }
  const privateKey = readFileSync(file, 'utf8').trim();
  try {
    return { privateKey, origin: parseSigningKey(privateKey).name };
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
};

/** The auditor's public key: the given file, else the data directory's. */
export const readPublicKey = (config: DataConfig, file?: string): string => {
  const where = file ?? auditFiles(config).publicKey;
  if (!existsSync(where)) {
    throw new CliError(
      `no public key at ${where}: pass --public-key FILE (the key the log's operator gave you); the operator makes the key pair with \`nhagiao signing init\` and signs the log with \`nhagiao audit checkpoint\``,
    );
  }
  const text = readFileSync(where, 'utf8').trim();
  try {
    parseVerifierKey(text);
  } catch (e) {
    throw new CliError(`${where}: ${(e as Error).message}`);
  }
  return text;
};

/** Opens the audit file and the tree over `store`; the caller closes the audit store. */
export const openAuditLog = (
  config: DataConfig,
  store: EventStore,
  options: { readonly readOnly?: boolean } = {},
): { log: AuditLog; audit: SqliteAuditStore } => {
  const file = auditFiles(config).audit;
  if (options.readOnly && !existsSync(file)) {
    throw new CliError(
      `no audit trail at ${file}: the operator makes one with \`nhagiao audit checkpoint\``,
    );
  }
  const audit = SqliteAuditStore.open(file, options.readOnly ? { readOnly: true } : {});
  return { log: new AuditLog(store, audit), audit };
};
