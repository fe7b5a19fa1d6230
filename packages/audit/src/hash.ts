import * as crypto from 'node:crypto';

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

type OneShot = (algorithm: string, data: string | Uint8Array, encoding: 'latin1' | 'hex') => string;
// One-shot `crypto.hash` (Node ≥ 20.12) skips the Hash object per call, which is
// most of the cost of hashing a few hundred bytes; older Node falls back.
const oneShot: OneShot | undefined = (crypto as { hash?: OneShot }).hash;

/**
 * The digest as a 32-char latin1 string (one char per byte). A Buffer made by the
 * native side costs a fresh ArrayBuffer and GC bookkeeping, several times the
 * hashing itself for leaf-sized inputs (measured ~4x); a short string does not,
 * and it converts to bytes exactly.
 */
export const sha256Latin1: (data: string | Uint8Array) => string =
  oneShot !== undefined
    ? (data) => oneShot('sha256', data, 'latin1')
    : (data) => crypto.createHash('sha256').update(data).digest('binary'); // 'binary' is latin1

// Buffer.from of a short string takes its bytes from Node's shared pool.
const digest = (data: string | Uint8Array): Buffer => Buffer.from(sha256Latin1(data), 'latin1');

export const sha256 = (...parts: readonly Uint8Array[]): Buffer =>
  parts.length === 1 ? digest(parts[0] as Uint8Array) : digest(Buffer.concat(parts));

/** SHA-256 of the UTF-8 encoding of a string. */
export const sha256Text = (text: string): Buffer => digest(text);

/** Hex SHA-256 of the UTF-8 encoding of a string; hex straight from OpenSSL, no Buffer in between. */
export const sha256TextHex: (text: string) => string =
  oneShot !== undefined
    ? (text) => oneShot('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** RFC 6962 §2.1: the hash of a leaf is SHA-256(0x00 ‖ leaf), domain-separated from nodes. */
export const hashLeaf = (leaf: Uint8Array): Buffer => {
  const input = Buffer.allocUnsafe(leaf.length + 1);
  input[0] = 0x00;
  input.set(leaf, 1);
  return digest(input);
};

/** hashLeaf of the UTF-8 bytes of `leaf`, without building them first (U+0000 is the byte 0x00). */
export const hashTextLeaf = (leaf: string): Buffer => digest(`\u0000${leaf}`);

const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);

/** RFC 6962 §2.1: an interior node is SHA-256(0x01 ‖ left ‖ right). */
export const hashChildren = (left: Uint8Array, right: Uint8Array): Buffer => {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return sha256(Buffer.from([0x01]), left, right);
  }
  // One reused input buffer: hashing is synchronous, so no call can see another's bytes.
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return digest(nodeInput);
};

/** MTH({}) — the root of the empty tree is the hash of the empty string. */
export const EMPTY_ROOT: Buffer = sha256(new Uint8Array(0));

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const fromHex = (s: string): Buffer => Buffer.from(s, 'hex');

/** Equality that also rejects hashes of the wrong length. */
export const sameHash = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === HASH_SIZE && b.length === HASH_SIZE && Buffer.from(a).equals(b);
