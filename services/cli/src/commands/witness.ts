import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import {
  Witness,
  generateCosignerKey,
  isValidKeyName,
  parseCosignerKey,
  parseVerifierKey,
} from '@nhagiao/audit';
import type { Command, CommandContext } from '../command.js';
import { CliError, usageError } from '../errors.js';

const DEFAULT_DIR = '.nhagiao-witness';
/** Largest add-checkpoint body: a checkpoint, a few dozen signatures and 63 proof lines. */
const MAX_BODY = 64 * 1024;

const dirOf = (ctx: CommandContext): string =>
  typeof ctx.values.dir === 'string'
    ? ctx.values.dir
    : (ctx.env.NHAGIAO_WITNESS_DIR ?? DEFAULT_DIR);

const filesOf = (dir: string) => ({
  signingKey: path.join(dir, 'witness-signing.key'),
  publicKey: path.join(dir, 'witness-public.key'),
  state: path.join(dir, 'witness.sqlite'),
});

/** A key given as text (`name+id+base64`) or as a file holding it. */
const keyText = (value: string): string =>
  /^[^/+\s]+\+[0-9a-f]{8}\+/.test(value) || !existsSync(value)
    ? value.trim()
    : readFileSync(value, 'utf8').trim();

const init = (ctx: CommandContext): number => {
  const name = ctx.values.name;
  if (typeof name !== 'string' || !isValidKeyName(name))
    throw usageError(
      '--name NAME: the witness name, e.g. stc.backan.gov.vn/witness (no spaces or +)',
    );
  const dir = dirOf(ctx);
  const files = filesOf(dir);
  if (existsSync(files.signingKey) && ctx.values.force !== true)
    throw new CliError(
      `a witness key already exists at ${files.signingKey}; pass --force to replace it`,
    );
  mkdirSync(dir, { recursive: true });
  const key = generateCosignerKey(name);
  writeFileSync(files.signingKey, `${key.privateKey}\n`, { mode: 0o600 });
  chmodSync(files.signingKey, 0o600);
  writeFileSync(files.publicKey, `${key.publicKey}\n`);
  ctx.stdout.write(`${key.publicKey}\n`);
  ctx.stderr.write(
    `witness key written to ${files.signingKey} (0600); public key to ${files.publicKey}\n` +
      'khóa công khai ở trên: trao cho nhà vận hành nhật ký và kiểm toán viên / give the public key above to the log operator and auditors\n',
  );
  return 0;
};

const serve = async (ctx: CommandContext): Promise<number> => {
  const dir = dirOf(ctx);
  const files = filesOf(dir);
  if (!existsSync(files.signingKey))
    throw new CliError(
      `no witness key at ${files.signingKey}: create one with \`nhagiao witness init --name NAME\``,
    );
  const logKeys = (Array.isArray(ctx.values['log-key']) ? ctx.values['log-key'] : []).map(keyText);
  if (logKeys.length === 0)
    throw usageError(
      'name the logs to witness: --log-key FILE|KEY (repeatable), their verifier keys',
    );
  for (const k of logKeys) {
    try {
      parseVerifierKey(k);
    } catch (e) {
      throw usageError(`--log-key ${k}: ${(e as Error).message}`);
    }
  }
  const host = typeof ctx.values.host === 'string' ? ctx.values.host : '127.0.0.1';
  const port = Number(ctx.values.port ?? 8424);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError('--port: a whole number from 0 to 65535');
  let cosigner;
  try {
    cosigner = parseCosignerKey(readFileSync(files.signingKey, 'utf8'));
  } catch (e) {
    throw new CliError(`${files.signingKey}: ${(e as Error).message}`);
  }
  const witness = Witness.open(files.state, cosigner, logKeys);
  const server = createServer((req, res) => {
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { 'content-type': contentType }).end(body);
    };
    const url = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'POST' && url === '/add-checkpoint') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          send(413, 'text/plain; charset=utf-8', 'request too large\n');
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        if (res.headersSent) return;
        try {
          const a = witness.addCheckpoint(Buffer.concat(chunks).toString('utf8'), new Date());
          if (a.status !== 200 && a.status !== 409)
            ctx.stderr.write(`witness: refused (${a.status}) ${a.body}`);
          send(a.status, a.contentType, a.body);
        } catch (e) {
          ctx.stderr.write(`witness: ${(e as Error).message}\n`);
          send(500, 'text/plain; charset=utf-8', 'the witness failed; the error is logged\n');
        }
      });
      return;
    }
    const m = /^\/([0-9a-f]{64})\/checkpoint$/.exec(url);
    if (req.method === 'GET' && m !== null) {
      const a = witness.latest(m[1] as string);
      send(a.status, a.contentType, a.body);
      return;
    }
    send(
      404,
      'text/plain; charset=utf-8',
      'POST /add-checkpoint or GET /<origin hash>/checkpoint\n',
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const where =
    typeof address === 'object' && address !== null
      ? `http://${host}:${address.port}`
      : String(address);
  ctx.stderr.write(
    `nhagiao witness: ${where}  (${cosigner.name}, witnessing ${logKeys.map((k) => parseVerifierKey(k).name).join(', ')})\n`,
  );
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  witness.close();
  return 0;
};

export const witnessCommand: Command = {
  name: 'witness',
  usage:
    'witness init --name NAME [--dir DIR] | witness serve --log-key FILE|KEY … [--dir DIR] [--host H] [--port N]',
  options: {
    dir: { type: 'string' },
    name: { type: 'string' },
    force: { type: 'boolean' },
    'log-key': { type: 'string', multiple: true },
    host: { type: 'string' },
    port: { type: 'string' },
  },
  help: `A witness is run by a body independent of the log's operator (the Department
of Finance, the Inspectorate) with its own key. It speaks C2SP tlog-witness:
the log POSTs each new checkpoint to /add-checkpoint with a consistency proof
from the last tree this witness cosigned; the witness checks the log's
signature and the proof, refuses any tree that does not extend what it cosigned
before (422, kept in its refusals table as evidence), and answers with a C2SP
tlog-cosignature/v1 (Ed25519) line. GET /<sha256(origin) hex>/checkpoint gives
the latest checkpoint it cosigned.

  init                creates the witness key: DIR/witness-signing.key (0600)
                      and DIR/witness-public.key (printed: give it to the log's
                      operator, for DIR/audit-witnesses, and to auditors, for
                      \`verify --witness\`)
    --name NAME       the witness's name, e.g. stc.backan.gov.vn/witness
  serve               runs the witness until SIGINT or SIGTERM
    --log-key K       a log's verifier key, or a file holding it (repeatable);
                      its name is the origin it witnesses
    --host H          address to listen on (default 127.0.0.1)
    --port N          port (default 8424)
  --dir DIR           the witness's key and state (default $NHAGIAO_WITNESS_DIR,
                      else ./${DEFAULT_DIR})`,
  async run(ctx) {
    const [sub] = ctx.positionals;
    if (sub === 'init') return init(ctx);
    if (sub === 'serve') return serve(ctx);
    throw usageError('expected `witness init` or `witness serve`');
  },
};
