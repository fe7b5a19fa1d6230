import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { generateSigningKey, isValidKeyName } from '@nhagiao/audit';
import type { Command } from '../command.js';
import { dataConfig, dataOptions, dataOptionsHelp } from '../config.js';
import { CliError, usageError } from '../errors.js';
import { auditFiles } from './audit-runtime.js';

/** The checkpoint origin when none is named: one log per plan deployment. */
export const DEFAULT_ORIGIN = 'nhagiao/bac-kan-423-2024';

export const signingCommand: Command = {
  name: 'signing',
  usage: 'signing init [--name ORIGIN] [--force]',
  options: {
    ...dataOptions,
    name: { type: 'string' },
    force: { type: 'boolean' },
  },
  help: `init creates the Ed25519 key pair that signs the log's checkpoints:
  DIR/audit-signing.key   the private key (file mode 0600): keep it on the
                          operator's machine, never give it out
  DIR/audit-public.key    the public key, also printed: give it to auditors,
                          who verify with \`nhagiao verify --public-key FILE\`
An existing key is never overwritten without --force (checkpoints signed with
the old key then no longer verify against the new public key).

  --name ORIGIN       the log's name, carried in every checkpoint
                      (default ${DEFAULT_ORIGIN}; no spaces or '+')
  --force             replace an existing key
${dataOptionsHelp}`,
  async run(ctx) {
    const [sub] = ctx.positionals;
    if (sub !== 'init') throw usageError('expected `signing init`');
    const name = typeof ctx.values.name === 'string' ? ctx.values.name : DEFAULT_ORIGIN;
    if (!isValidKeyName(name)) throw usageError(`--name ${name}: no spaces or '+' allowed`);
    const config = dataConfig(ctx.values, ctx.env);
    const files = auditFiles(config);
    if (existsSync(files.signingKey) && ctx.values.force !== true) {
      throw new CliError(
        `a signing key already exists at ${files.signingKey}; pass --force to replace it (old checkpoints will no longer verify with the new public key)`,
      );
    }
    mkdirSync(config.dataDir, { recursive: true });
    const key = generateSigningKey(name);
    // Written with 0600 from the start so the secret is never readable by others, even briefly.
    writeFileSync(files.signingKey, `${key.privateKey}\n`, { mode: 0o600 });
    chmodSync(files.signingKey, 0o600);
    writeFileSync(files.publicKey, `${key.publicKey}\n`);
    ctx.stdout.write(`${key.publicKey}\n`);
    ctx.stderr.write(
      `signing key written to ${files.signingKey} (0600); public key to ${files.publicKey}\n` +
        'khóa công khai ở trên: trao cho kiểm toán viên / give the public key above to auditors\n',
    );
    return 0;
  },
};
