import {
  type KeyObject,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { parseCheckpointText } from './checkpoint.js';
import { sha256 } from './hash.js';
import { parseNote } from './signed-note.js';
import { isValidKeyName } from './signing-key.js';

/** C2SP signed-note signature type of a timestamped Ed25519 checkpoint cosignature (tlog-cosignature/v1). */
export const COSIGNATURE_V1 = 0x04;

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const EM_DASH = '\u2014';

/** A witness's key pair, as signed-note key texts with type 0x04. */
export interface CosignerKeyPair {
  readonly name: string;
  /** `PRIVATE+KEY+<name>+<id>+<base64(0x04 ‖ seed)>`: the witness keeps it. */
  readonly privateKey: string;
  /** `<name>+<id>+<base64(0x04 ‖ pubkey)>`: what logs and auditors hold. */
  readonly publicKey: string;
}

export interface Cosigner {
  readonly name: string;
  readonly keyId: Buffer;
  /** One signature line (`— name base64`, newline included) over the checkpoint text at `time` (POSIX seconds). */
  cosign(checkpointText: string, time: number): string;
}

export interface CosignatureVerifier {
  readonly name: string;
  readonly keyId: Buffer;
  /** The vkey text it was read from. */
  readonly key: string;
}

/** The verified cosignature of one witness on a checkpoint. */
export interface Cosignature {
  readonly witness: string;
  /** POSIX seconds. */
  readonly time: number;
  /** The signature line as found, newline included. */
  readonly line: string;
}

const keyIdOf = (name: string, publicKey: Uint8Array): Buffer =>
  sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, COSIGNATURE_V1]), publicKey).subarray(0, 4);

const rawPublicKey = (key: KeyObject): Buffer =>
  createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);

const encode = (name: string, keyId: Buffer, raw: Uint8Array): string =>
  `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([COSIGNATURE_V1]), raw]).toString('base64')}`;

/** The message a v1 cosignature signs: header, time line, then the checkpoint's note text. */
export const cosignedMessage = (checkpointText: string, time: number): Buffer =>
  Buffer.from(`cosignature/v1\ntime ${time}\n${checkpointText}`, 'utf8');

/** A fresh Ed25519 cosigner key for a witness named `name` (a schema-less URL, say). */
export const generateCosignerKey = (name: string): CosignerKeyPair => {
  if (!isValidKeyName(name))
    throw new RangeError(`key name ${JSON.stringify(name)} is empty or has a space or '+'`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const keyId = keyIdOf(name, rawPublicKey(privateKey));
  return {
    name,
    privateKey: `PRIVATE+KEY+${encode(name, keyId, seed)}`,
    publicKey: encode(name, keyId, rawPublicKey(privateKey)),
  };
};

const parseKey = (text: string, what: string): { name: string; keyId: Buffer; raw: Buffer } => {
  const m = /^([^+]*)\+([^+]*)\+(.*)$/su.exec(text.trim());
  const [, name, id, data] = m ?? [];
  if (name === undefined || id === undefined || data === undefined)
    throw new RangeError(`${what} must read <name>+<key id>+<key data>`);
  if (!isValidKeyName(name)) throw new RangeError(`${what} has an invalid name`);
  if (!/^[0-9a-f]{8}$/.test(id)) throw new RangeError(`${what} key id must be 8 hex digits`);
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length !== 33 || bytes[0] !== COSIGNATURE_V1 || bytes.toString('base64') !== data)
    throw new RangeError(
      `${what} is not an Ed25519 cosignature key (type 0x04 and 32 bytes, base64)`,
    );
  return { name, keyId: Buffer.from(id, 'hex'), raw: bytes.subarray(1) };
};

/** Reads a witness's `PRIVATE+KEY+…` cosigner key. */
export const parseCosignerKey = (text: string): Cosigner => {
  const prefix = 'PRIVATE+KEY+';
  if (!text.trim().startsWith(prefix))
    throw new RangeError('a cosigner key starts with PRIVATE+KEY+');
  const { name, keyId, raw } = parseKey(text.trim().slice(prefix.length), 'cosigner key');
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, raw]),
    format: 'der',
    type: 'pkcs8',
  });
  if (!keyIdOf(name, rawPublicKey(key)).equals(keyId))
    throw new RangeError('cosigner key id does not match its key data');
  return {
    name,
    keyId,
    cosign(checkpointText, time) {
      if (!Number.isSafeInteger(time) || time <= 0) throw new RangeError('time must be > 0');
      const stamp = Buffer.alloc(8);
      stamp.writeBigUInt64BE(BigInt(time));
      const signature = sign(null, cosignedMessage(checkpointText, time), key);
      return `${EM_DASH} ${name} ${Buffer.concat([keyId, stamp, signature]).toString('base64')}\n`;
    },
  };
};

const verifiers = new Map<string, { name: string; keyId: Buffer; key: KeyObject }>();

const publicKeyOf = (vkey: string): { name: string; keyId: Buffer; key: KeyObject } => {
  let v = verifiers.get(vkey);
  if (v === undefined) {
    const { name, keyId, raw } = parseKey(vkey, 'witness key');
    if (!keyIdOf(name, raw).equals(keyId))
      throw new RangeError('witness key id does not match its key data');
    const key = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, raw]),
      format: 'der',
      type: 'spki',
    });
    v = { name, keyId, key };
    verifiers.set(vkey, v);
  }
  return v;
};

/** Reads a witness's verifier key (`<name>+<id>+<base64(0x04 ‖ pubkey)>`); throws a RangeError saying what is wrong. */
export const parseCosignatureVerifier = (vkey: string): CosignatureVerifier => {
  const { name, keyId } = publicKeyOf(vkey.trim());
  return { name, keyId, key: vkey.trim() };
};

/**
 * The valid cosignatures on a checkpoint note from the given witness keys,
 * one per witness at most. Lines of other keys are ignored; a line with a
 * witness's name and key id whose signature fails does not count.
 */
export const verifyCosignatures = (note: string, witnessKeys: readonly string[]): Cosignature[] => {
  const parsed = parseNote(note);
  if (parsed === null || !parseCheckpointText(parsed.text).ok) return [];
  const found = new Map<string, Cosignature>();
  const lines = note.slice(note.lastIndexOf('\n\n') + 2).split('\n');
  for (const vkey of witnessKeys) {
    const w = publicKeyOf(vkey.trim());
    parsed.signatures.forEach((s, i) => {
      if (s.name !== w.name || !s.keyId.equals(w.keyId) || s.signature.length !== 8 + 64) return;
      const time = s.signature.readBigUInt64BE(0);
      if (time === 0n || time > BigInt(Number.MAX_SAFE_INTEGER)) return;
      const ok = verify(
        null,
        cosignedMessage(parsed.text, Number(time)),
        w.key,
        s.signature.subarray(8),
      );
      if (ok && !found.has(w.name))
        found.set(w.name, { witness: w.name, time: Number(time), line: `${lines[i] ?? ''}\n` });
    });
  }
  return [...found.values()];
};
