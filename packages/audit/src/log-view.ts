import type { RecordedEvent } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';
import { encodeLeaf } from './leaf.js';
import type { PersonalCommitment } from './personal.js';
import { MerkleTree } from './merkle-tree.js';
import { type SavedCheckpoint, SqliteAuditStore } from './sqlite-audit-store.js';
import { TILE_WIDTH, type TileRef, entryBundle, tileBytes, tileInTree } from './tiles.js';

/**
 * Why the log cannot answer: `not-published` (no checkpoint yet),
 * `out-of-range` (asks past the published tree, or for a tile it does not have),
 * `inconsistent` (the operator's own files disagree: the leaf table does not
 * hash to the latest checkpoint, or the store lacks a logged event).
 */
export class LogViewError extends Error {
  constructor(
    readonly code: 'not-published' | 'out-of-range' | 'inconsistent',
    message: string,
  ) {
    super(message);
    this.name = 'LogViewError';
  }
}

/** The published tree: the latest checkpoint saved, its note served with the witnesses' cosignatures. */
export interface PublishedTree {
  readonly saved: SavedCheckpoint;
  readonly checkpoint: Checkpoint;
  /** The signed note, followed by every cosignature line collected for it. */
  readonly note: string;
}

/** An inclusion proof as the HTTP API serves it: hashes in standard base64, as in a checkpoint. */
export interface InclusionProofJson {
  readonly index: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly rootHash: string;
  /** RFC 6962 §2.1.1 audit path, leaf to root. */
  readonly proof: readonly string[];
}

export interface ConsistencyProofJson {
  readonly from: number;
  readonly to: number;
  readonly fromRoot: string;
  readonly toRoot: string;
  /** RFC 6962 §2.1.2 consistency proof. */
  readonly proof: readonly string[];
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/**
 * The log as it is published, read from the audit file without writing to it
 * (the API serves it while `nhagiao audit checkpoint` writes): the latest
 * checkpoint, the tiles and proofs of its tree and of every smaller one. Each
 * call first reads what the checkpoint command added since, and refuses to serve
 * a tree whose leaf table does not hash to the checkpoint it publishes.
 */
export class LogView {
  readonly #audit: SqliteAuditStore;
  #tree: MerkleTree | undefined;
  /** Id and note of the last checkpoint found to match the tree. */
  #published: PublishedTree | undefined;

  private constructor(audit: SqliteAuditStore) {
    this.#audit = audit;
  }

  /** Opens an audit file read-only; throws when it does not exist. */
  static open(auditFile: string): LogView {
    return new LogView(SqliteAuditStore.open(auditFile, { readOnly: true }));
  }

  /** The latest checkpoint, its tree brought up to it and checked; throws a LogViewError when there is none or it does not match. */
  published(): PublishedTree {
    const saved = this.#audit.latestCheckpoint();
    if (saved === undefined)
      throw new LogViewError('not-published', 'no checkpoint has been signed yet');
    const cosigned = this.#audit.cosignatureLines(saved.id);
    const current = this.#published;
    if (current !== undefined && current.saved.id === saved.id && current.saved.note === saved.note)
      return current.note.length === saved.note.length + cosigned.length
        ? current
        : (this.#published = { ...current, note: saved.note + cosigned });
    const checkpoint = parseCheckpoint(saved.note);
    const tree = this.#treeOf(checkpoint.size);
    if (!tree.rootAt(checkpoint.size).equals(checkpoint.rootHash)) {
      throw new LogViewError(
        'inconsistent',
        `the leaf table does not hash to checkpoint #${saved.id} (${checkpoint.size} events)`,
      );
    }
    this.#published = { saved, checkpoint, note: saved.note + cosigned };
    return this.#published;
  }

  #treeOf(size: number): MerkleTree {
    if (this.#tree === undefined) this.#tree = new MerkleTree(this.#audit.leaves);
    if (this.#tree.size < size) {
      this.#audit.leaves.refresh();
      this.#tree.catchUpWithStore();
    }
    if (this.#tree.size < size) {
      throw new LogViewError(
        'inconsistent',
        `the leaf table holds ${this.#tree.size} leaves, fewer than the ${size} signed`,
      );
    }
    return this.#tree;
  }

  get tree(): MerkleTree {
    return this.#treeOf(this.published().checkpoint.size);
  }

  /** A size to prove against: the published one by default, never past it. */
  #size(size: number | undefined, what: string): number {
    const published = this.published().checkpoint.size;
    const n = size ?? published;
    if (!Number.isSafeInteger(n) || n < 0 || n > published) {
      throw new LogViewError(
        'out-of-range',
        `${what} ${size} is outside 0..${published} (the latest checkpoint)`,
      );
    }
    return n;
  }

  /** The bytes of a hash tile of the published tree (or of any smaller one, for partial tiles). */
  tile(ref: TileRef): Buffer {
    const size = this.published().checkpoint.size;
    if (ref.level === 'entries' || !tileInTree(ref, size)) {
      throw new LogViewError('out-of-range', `no such tile in the tree of ${size} events`);
    }
    return tileBytes(this.#treeOf(size), ref.level, ref.index, ref.width);
  }

  inclusionProof(index: number, treeSize?: number): InclusionProofJson {
    const size = this.#size(treeSize, 'treeSize');
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new LogViewError('out-of-range', `leaf ${index} is not in the tree of ${size} events`);
    }
    const tree = this.#treeOf(size);
    return {
      index,
      treeSize: size,
      leafHash: b64(tree.leafHash(index)),
      rootHash: b64(tree.rootAt(size)),
      proof: tree.inclusionProof(index, size).map(b64),
    };
  }

  consistencyProof(from: number, to?: number): ConsistencyProofJson {
    const n = this.#size(to, 'to');
    if (!Number.isSafeInteger(from) || from < 0 || from > n) {
      throw new LogViewError('out-of-range', `from ${from} is outside 0..${n}`);
    }
    const tree = this.#treeOf(n);
    return {
      from,
      to: n,
      fromRoot: b64(tree.rootAt(from)),
      toRoot: b64(tree.rootAt(n)),
      proof: tree.consistencyProof(from, n).map(b64),
    };
  }

  /** Leaf index of the event at a store position (undefined: no leaf, or past the published tree). */
  indexOf(position: bigint): number | undefined {
    const size = this.published().checkpoint.size;
    const index = this.#audit.leaves.indexOf(position);
    return index !== undefined && index < size ? index : undefined;
  }

  positionOf(index: number): bigint | undefined {
    return this.#audit.leaves.positionOf(index);
  }

  /**
   * An entry bundle: the leaf bytes of each event of the tile, read from the
   * store at the positions recorded for them. Leaves hold digests, not data,
   * but they name streams (teachers), which is why only auditors get them.
   */
  async entryBundle(store: EventStore, ref: TileRef): Promise<Buffer> {
    const size = this.published().checkpoint.size;
    if (ref.level !== 'entries' || !tileInTree(ref, size)) {
      throw new LogViewError('out-of-range', `no such entry bundle in the tree of ${size} events`);
    }
    const first = ref.index * TILE_WIDTH;
    const positions: bigint[] = [];
    for (let i = 0; i < ref.width; i++) {
      const p = this.positionOf(first + i);
      if (p === undefined)
        throw new LogViewError('inconsistent', `no position for leaf ${first + i}`);
      positions.push(p);
    }
    const events: RecordedEvent[] = [];
    const last = positions[positions.length - 1] as bigint;
    // From the leaf before (a record start: EventStoreDB refuses a read from
    // inside a record, as `position - 1` would be), or from the start.
    const before = first === 0 ? undefined : this.positionOf(first - 1);
    for await (const e of store.readAll(before === undefined ? {} : { after: before })) {
      if (e.position > last) break;
      events.push(e);
    }
    const byPosition = new Map(events.map((e) => [e.position, e]));
    return entryBundle(
      positions.map((p, i) => {
        const e = byPosition.get(p);
        if (e === undefined)
          throw new LogViewError(
            'inconsistent',
            `the store has no event at position ${p}, logged as leaf ${first + i}`,
          );
        return encodeLeaf(e, this.#audit.salts);
      }),
    );
  }

  /** The salts and commitments of the published events' personal data (for auditors). */
  salts(): IterableIterator<[string, PersonalCommitment]> {
    return this.#audit.salts.entries();
  }

  close(): void {
    this.#audit.close();
  }
}
