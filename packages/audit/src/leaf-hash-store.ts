import { HASH_SIZE } from './hash.js';

/**
 * Where the tree keeps its leaf hashes, in leaf order. Synchronous on purpose:
 * proofs read a few hundred hashes and an embedded SQLite table answers that
 * without a round trip. Implementations must return exactly what was appended.
 */
export interface LeafHashStore {
  readonly size: number;
  /** The hash of leaf `index`; throws a RangeError when there is none. */
  get(index: number): Buffer;
  append(hash: Uint8Array): void;
}

/** Leaf hashes in one growing buffer: 32 bytes a leaf, no per-leaf object. */
export class MemoryLeafHashStore implements LeafHashStore {
  #bytes: Buffer = Buffer.alloc(HASH_SIZE * 1024);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(index: number): Buffer {
    if (!Number.isInteger(index) || index < 0 || index >= this.#size) {
      throw new RangeError(`no leaf ${index} in a store of ${this.#size}`);
    }
    return Buffer.from(this.#bytes.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE));
  }

  append(hash: Uint8Array): void {
    if (hash.length !== HASH_SIZE) {
      throw new RangeError(`a leaf hash is ${HASH_SIZE} bytes, got ${hash.length}`);
    }
    this.appendMany(hash);
  }

  /** Appends consecutive leaf hashes given as one run of bytes (a multiple of 32). */
  appendMany(hashes: Uint8Array): void {
    if (hashes.length % HASH_SIZE !== 0) {
      throw new RangeError(`leaf hashes are ${HASH_SIZE} bytes each, got ${hashes.length} bytes`);
    }
    const end = this.#size * HASH_SIZE + hashes.length;
    if (end > this.#bytes.length) {
      const grown = Buffer.alloc(Math.max(this.#bytes.length * 2, end));
      this.#bytes.copy(grown);
      this.#bytes = grown;
    }
    this.#bytes.set(hashes, this.#size * HASH_SIZE);
    this.#size += hashes.length / HASH_SIZE;
  }
}
