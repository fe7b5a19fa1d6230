import { createHash } from 'node:crypto';

/** Length in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

export const sha256 = (...parts: readonly Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 6962 §2.1: the hash of a leaf is SHA-256(0x00 ‖ leaf), domain-separated from nodes. */
export const hashLeaf = (leaf: Uint8Array): Buffer => sha256(LEAF_PREFIX, leaf);

/** RFC 6962 §2.1: an interior node is SHA-256(0x01 ‖ left ‖ right). */
export const hashChildren = (left: Uint8Array, right: Uint8Array): Buffer =>
  sha256(NODE_PREFIX, left, right);

/** MTH({}) — the root of the empty tree is the hash of the empty string. */
export const EMPTY_ROOT: Buffer = sha256();

export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const fromHex = (s: string): Buffer => Buffer.from(s, 'hex');

/** Equality that also rejects hashes of the wrong length. */
export const sameHash = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === HASH_SIZE && b.length === HASH_SIZE && Buffer.from(a).equals(b);
