import {
  type KeyObject,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';
import { sha256 } from './hash.js';

/** C2SP signed-note signature type byte for Ed25519. */
const ED25519 = 0x01;
// DER headers that wrap a raw 32-byte Ed25519 seed / public key (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A signer: the private half, as the signed-note `PRIVATE+KEY+name+id+data` text. */
export interface SigningKeyPair {
  readonly name: string;
  /** Key id as 8 hex digits (first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ pubkey)). */
  readonly keyId: string;
  /** `PRIVATE+KEY+<name>+<id>+<base64(0x01 ‖ seed)>`: keep secret. */
  readonly privateKey: string;
  /** `<name>+<id>+<base64(0x01 ‖ pubkey)>`: what auditors hold. */
  readonly publicKey: string;
}

export interface Signer {
  readonly name: string;
  readonly keyId: Buffer;
  sign(message: Uint8Array): Buffer;
}

export interface Verifier {
  readonly name: string;
  readonly keyId: Buffer;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** Key names (and so checkpoint origins) are non-empty, with no Unicode space and no '+'. */
export const isValidKeyName = (name: string): boolean =>
  name.length > 0 && !/[\s+]/u.test(name) && !/[\u0000-\u001f]/u.test(name);

const keyIdOf = (name: string, publicKey: Uint8Array): Buffer =>
  sha256(Buffer.from(name, 'utf8'), Buffer.from([0x0a, ED25519]), publicKey).subarray(0, 4);

const rawPublicKey = (key: KeyObject): Buffer =>
  createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);

const keyFromSeed = (seed: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });

const encode = (name: string, keyId: Buffer, raw: Uint8Array): string =>
  `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), raw]).toString('base64')}`;

/** Creates a fresh Ed25519 key pair for signing checkpoints under `name` (the log's origin). */
export const generateSigningKey = (name: string): SigningKeyPair => {
  if (!isValidKeyName(name))
    throw new RangeError(`key name ${JSON.stringify(name)} is empty or has a space or '+'`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const pub = rawPublicKey(privateKey);
  const keyId = keyIdOf(name, pub);
  return {
    name,
    keyId: keyId.toString('hex'),
    privateKey: `PRIVATE+KEY+${encode(name, keyId, seed)}`,
    publicKey: encode(name, keyId, pub),
  };
};

/** Splits `name+hexid+base64` and checks the id is the one the key data implies. */
const parseKeyText = (text: string, what: string): { name: string; keyId: Buffer; raw: Buffer } => {
  // Base64 key data may itself contain '+': only the first two separate fields.
  const m = /^([^+]*)\+([^+]*)\+(.*)$/su.exec(text.trim());
  const [, name, id, data] = m ?? [];
  if (name === undefined || id === undefined || data === undefined) {
    throw new RangeError(`${what} must read <name>+<key id>+<key data>`);
  }
  if (!isValidKeyName(name)) throw new RangeError(`${what} has an invalid name`);
  if (!/^[0-9a-f]{8}$/.test(id)) throw new RangeError(`${what} key id must be 8 hex digits`);
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length !== 33 || bytes[0] !== ED25519 || bytes.toString('base64') !== data) {
    throw new RangeError(`${what} is not an Ed25519 key (type 0x01 and 32 bytes, base64)`);
  }
  return { name, keyId: Buffer.from(id, 'hex'), raw: bytes.subarray(1) };
};

/** Reads a `PRIVATE+KEY+…` signing key. Throws a RangeError saying what is wrong with it. */
export const parseSigningKey = (text: string): Signer => {
  const prefix = 'PRIVATE+KEY+';
  if (!text.trim().startsWith(prefix))
    throw new RangeError('a signing key starts with PRIVATE+KEY+');
  const { name, keyId, raw } = parseKeyText(text.trim().slice(prefix.length), 'signing key');
  const key = keyFromSeed(raw);
  if (!keyIdOf(name, rawPublicKey(key)).equals(keyId)) {
    throw new RangeError('signing key id does not match its key data');
  }
  return { name, keyId, sign: (message) => sign(null, message, key) };
};

/** Reads a `<name>+<id>+<data>` public (verifier) key. Throws a RangeError saying what is wrong with it. */
export const parseVerifierKey = (text: string): Verifier => {
  const { name, keyId, raw } = parseKeyText(text, 'public key');
  if (!keyIdOf(name, raw).equals(keyId))
    throw new RangeError('public key id does not match its key data');
  const key = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
  return {
    name,
    keyId,
    verify: (message, signature) =>
      signature.length === 64 && verify(null, message, key, signature),
  };
};
