import { EMPTY_ROOT, HASH_SIZE, hashChildren, sha256Latin1 } from './hash.js';
import { type LeafHashStore, MemoryLeafHashStore } from './leaf-hash-store.js';

/**
 * Complete subtrees of 2^CACHED_FROM leaves or more are kept in memory (1/64 of
 * the leaf count), so a proof reads at most 2^CACHED_FROM leaf hashes per proof
 * node from the store and recomputes the rest; a 1M-leaf tree keeps ~0.5 MB.
 */
const CACHED_FROM = 6;

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/** The largest power of two strictly below n (n ≥ 2): RFC 6962's split point k. */
const splitPoint = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

const checkSize = (name: string, value: number, max: number): void => {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} ${value} is outside 0..${max}`);
  }
};

/**
 * An append-only RFC 6962 / RFC 9162 Merkle tree. Appending is O(log n): the
 * tree keeps the right frontier (the roots of its complete subtrees, one per set
 * bit of the size). Roots of earlier sizes and the §2.1.1 inclusion and §2.1.2
 * consistency proofs are computed from the leaf hashes in the store.
 */
export class MerkleTree {
  readonly #store: LeafHashStore;
  /**
   * Roots of the complete subtrees covering the leaves, largest first, 32 bytes
   * each; one per set bit of the size, so 64 slots hold any safe-integer size.
   * Bytes in place rather than a Buffer per node: appending allocates nothing.
   */
  readonly #frontier = Buffer.alloc(64 * HASH_SIZE);
  #frontierLength = 0;
  /** 0x01 ‖ left ‖ right, the input of a node hash; the right half carries the node up. */
  readonly #nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE, 0x01);
  /** #levels[h][j] is the root of leaves [j·2^h, (j+1)·2^h), for h ≥ CACHED_FROM. */
  readonly #levels: MemoryLeafHashStore[] = [];
  #size = 0;

  /**
   * A tree over `store`. Leaf hashes already in the store become the tree's first
   * leaves (one pass over them), so a persisted table reopens as the same tree.
   */
  constructor(store: LeafHashStore = new MemoryLeafHashStore()) {
    this.#store = store;
    const existing = store.size;
    for (let i = 0; i < existing; i++) this.#grow(store.get(i));
  }

  get size(): number {
    return this.#size;
  }

  /** Appends a leaf hash (see `eventLeafHash`); returns its index. The bytes are copied. */
  append(leafHash: Uint8Array): number {
    this.#store.append(leafHash);
    this.#grow(leafHash);
    return this.#size - 1;
  }

  #grow(leafHash: Uint8Array): void {
    const input = this.#nodeInput;
    const right = 1 + HASH_SIZE;
    input.set(leafHash, right);
    let level = 0;
    // Each trailing one bit of the old size is a complete subtree that now pairs up
    // (arithmetic, not `>>`, so sizes past 2^31 work too).
    for (let rest = this.#size; rest % 2 === 1; rest = (rest - 1) / 2) {
      if (this.#frontierLength === 0) throw new Error('frontier out of step with size');
      this.#frontierLength -= 1;
      const left = this.#frontierLength * HASH_SIZE;
      this.#frontier.copy(input, 1, left, left + HASH_SIZE);
      // hashChildren(left, node), its digest written back as the node carried up.
      input.write(sha256Latin1(input), right, HASH_SIZE, 'latin1');
      level += 1;
      if (level >= CACHED_FROM) this.#cacheLevel(level).append(input.subarray(right));
    }
    input.copy(this.#frontier, this.#frontierLength * HASH_SIZE, right);
    this.#frontierLength += 1;
    this.#size += 1;
  }

  #cacheLevel(level: number): MemoryLeafHashStore {
    let cache = this.#levels[level];
    if (cache === undefined) {
      cache = new MemoryLeafHashStore();
      this.#levels[level] = cache;
    }
    return cache;
  }

  /**
   * Grows the tree over leaf hashes another writer appended to its store since
   * (a read-only view of a table that the checkpoint command fills); returns
   * how many leaves it took.
   */
  catchUpWithStore(): number {
    const before = this.#size;
    for (let i = this.#size, n = this.#store.size; i < n; i++) this.#grow(this.#store.get(i));
    return this.#size - before;
  }

  /**
   * MTH(D[start:start+n]) for a complete subtree: `n` a power of two and `start`
   * a multiple of it (the hashes of C2SP tlog-tiles). From the cache when the
   * subtree has 64 leaves or more, so a tile of level 1 or above costs no hashing.
   */
  subtreeHash(start: number, n: number): Buffer {
    if (!isPowerOfTwo(n) || start % n !== 0) {
      throw new RangeError(`[${start}, ${start + n}) is not a complete subtree`);
    }
    checkSize('subtree end', start + n, this.#size);
    return this.#hashRange(start, n);
  }

  /** The hash of leaf `index`. */
  leafHash(index: number): Buffer {
    checkSize('leaf index', index, this.#size - 1);
    return this.#store.get(index);
  }

  /** The root of the current tree: folds the frontier, O(log n). */
  root(): Buffer {
    let root: Buffer | undefined;
    for (let i = this.#frontierLength - 1; i >= 0; i--) {
      const node = this.#frontier.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
      root = root === undefined ? Buffer.from(node) : hashChildren(node, root);
    }
    return root ?? EMPTY_ROOT;
  }

  /** MTH of the first `size` leaves: the root the tree had when it was that size. */
  rootAt(size: number): Buffer {
    checkSize('tree size', size, this.#size);
    return size === this.#size ? this.root() : this.#hashRange(0, size);
  }

  /** RFC 6962 §2.1.1 PATH(index, D[0:size]): the audit path of leaf `index` in the tree of `size`. */
  inclusionProof(index: number, size: number = this.#size): Buffer[] {
    checkSize('tree size', size, this.#size);
    checkSize('leaf index', index, size - 1);
    const proof: Buffer[] = [];
    // PATH recurses to the side holding the leaf and appends the other side's hash
    // on the way back out, so collect the siblings top-down and reverse.
    let start = 0;
    let n = size;
    let m = index;
    while (n > 1) {
      const k = splitPoint(n);
      if (m < k) {
        proof.push(this.#hashRange(start + k, n - k));
        n = k;
      } else {
        proof.push(this.#hashRange(start, k));
        start += k;
        m -= k;
        n -= k;
      }
    }
    return proof.reverse();
  }

  /** RFC 6962 §2.1.2 PROOF(from, D[0:to]): proves the tree of `from` leaves is a prefix of the one of `to`. */
  consistencyProof(from: number, to: number = this.#size): Buffer[] {
    checkSize('tree size', to, this.#size);
    checkSize('earlier tree size', from, to);
    if (from === 0 || from === to) return [];
    const proof: Buffer[] = [];
    // SUBPROOF(m, D[start:start+n], b), unrolled the same way as the inclusion path.
    let start = 0;
    let n = to;
    let m = from;
    let complete = true;
    while (m !== n) {
      const k = splitPoint(n);
      if (m <= k) {
        proof.push(this.#hashRange(start + k, n - k));
        n = k;
      } else {
        proof.push(this.#hashRange(start, k));
        start += k;
        m -= k;
        n -= k;
        complete = false;
      }
    }
    if (!complete) proof.push(this.#hashRange(start, n));
    return proof.reverse();
  }

  /** MTH(D[start:start+n]) for the ranges RFC 6962's recursion produces. */
  #hashRange(start: number, n: number): Buffer {
    if (n === 0) return EMPTY_ROOT;
    if (n === 1) return this.#store.get(start);
    if (isPowerOfTwo(n)) {
      const level = Math.log2(n);
      if (level >= CACHED_FROM) {
        const cached = this.#levels[level];
        if (cached !== undefined && start / n < cached.size) return cached.get(start / n);
      }
      const half = n / 2;
      return hashChildren(this.#hashRange(start, half), this.#hashRange(start + half, half));
    }
    const k = splitPoint(n);
    return hashChildren(this.#hashRange(start, k), this.#hashRange(start + k, n - k));
  }
}
