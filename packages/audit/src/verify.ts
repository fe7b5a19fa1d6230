import { HASH_SIZE, hashChildren, sameHash } from './hash.js';

const validSize = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
const wellFormed = (proof: readonly Uint8Array[]): boolean =>
  proof.every((p) => p.length === HASH_SIZE);

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2), or null when the
 * proof cannot be one for `index` in a tree of `size` (wrong length, bad sizes).
 */
export const rootFromInclusionProof = (
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Buffer | null => {
  if (!validSize(index) || !validSize(size) || index >= size) return null;
  if (leafHash.length !== HASH_SIZE || !wellFormed(proof)) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
};

/**
 * Checks that `leafHash` is leaf `index` of the tree of `size` whose root is
 * `root`, trusting nothing but the arguments (RFC 9162 §2.1.3.2).
 */
export const verifyInclusion = (
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean => {
  const computed = rootFromInclusionProof(leafHash, index, size, proof);
  return computed !== null && sameHash(computed, root);
};

/**
 * Checks that the tree of `fromSize` leaves with root `fromRoot` is a prefix of
 * the tree of `toSize` leaves with root `toRoot` (RFC 9162 §2.1.4.2), trusting
 * nothing but the arguments. The empty tree is a prefix of every tree.
 */
export const verifyConsistency = (
  fromSize: number,
  toSize: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean => {
  if (!validSize(fromSize) || !validSize(toSize) || fromSize > toSize) return false;
  if (!wellFormed(proof)) return false;
  if (fromSize === toSize) return proof.length === 0 && sameHash(fromRoot, toRoot);
  if (fromSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;

  const path = [...proof];
  // A power-of-two first tree is a complete subtree of the second: its root is
  // the proof's implicit first node.
  if (Number.isInteger(Math.log2(fromSize))) path.unshift(Buffer.from(fromRoot));
  let fn = fromSize - 1;
  let sn = toSize - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  const first = path[0];
  if (first === undefined || first.length !== HASH_SIZE) return false;
  let fr: Buffer = Buffer.from(first);
  let sr: Buffer = Buffer.from(first);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameHash(fr, fromRoot) && sameHash(sr, toRoot);
};
