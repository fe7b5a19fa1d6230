import type { RecordedEvent } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import { type Checkpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
import { toHex } from './hash.js';
import { encodeLeaf, eventLeafHash } from './leaf.js';
import { MerkleTree } from './merkle-tree.js';
import type { CheckpointReason, SavedCheckpoint, SqliteAuditStore } from './sqlite-audit-store.js';
import { verifyConsistency, verifyInclusion } from './verify.js';

/** Everything an auditor needs to check offline that one event is in a signed tree. */
export interface InclusionEvidence {
  readonly eventId: string;
  readonly position: string;
  readonly stream: string;
  readonly type: string;
  /** Leaf index = place of the event in the log's position order, from 0. */
  readonly index: number;
  /** The leaf (RFC 8785 JSON) recomputed from the event as the store holds it now. */
  readonly leaf: string;
  readonly leafHash: string;
  readonly treeSize: number;
  readonly rootHash: string;
  /** RFC 6962 §2.1.1 audit path, hex, leaf to root. */
  readonly proof: readonly string[];
  /** The signed checkpoint whose root the proof leads to. */
  readonly checkpoint: string;
  /** Checked here as a courtesy; an auditor re-checks it with `verifyInclusion`. */
  readonly verified: boolean;
}

export interface ConsistencyEvidence {
  readonly fromSize: number;
  readonly toSize: number;
  readonly fromRoot: string;
  readonly toRoot: string;
  readonly proof: readonly string[];
}

const SYNC_BATCH = 10_000;

/** A tree that does not extend a checkpoint signed before; `checkpointSize` is that checkpoint's size. */
export class InconsistentTreeError extends Error {
  constructor(
    message: string,
    readonly checkpointSize: number,
  ) {
    super(message);
    this.name = 'InconsistentTreeError';
  }
}

/**
 * The log's Merkle tree kept in step with an event store (any adapter, through
 * the port): leaf i is the i-th event in position order. The tree's leaves are
 * those recorded in the audit store, so a later rewrite of the log does not
 * silently change them: `verify` compares the two.
 */
export class AuditLog {
  readonly #store: EventStore;
  readonly #audit: SqliteAuditStore;
  readonly #tree: MerkleTree;

  constructor(store: EventStore, audit: SqliteAuditStore) {
    this.#store = store;
    this.#audit = audit;
    this.#tree = new MerkleTree(audit.leaves);
  }

  get size(): number {
    return this.#tree.size;
  }

  get tree(): MerkleTree {
    return this.#tree;
  }

  /** Store position of leaf `index`. */
  positionOf(index: number): bigint | undefined {
    return this.#audit.leaves.positionOf(index);
  }

  indexOf(position: bigint): number | undefined {
    return this.#audit.leaves.indexOf(position);
  }

  /** Appends a leaf for every event stored after the last recorded one; returns how many. */
  async sync(options: { readonly signal?: AbortSignal } = {}): Promise<number> {
    const last = this.positionOf(this.#tree.size - 1);
    let added = 0;
    for await (const event of this.#store.readAll({
      ...(last === undefined ? {} : { after: last }),
      ...(options.signal ? { signal: options.signal } : {}),
    })) {
      this.#audit.leaves.place(event.position);
      this.#audit.salts.ensure(event);
      this.#tree.append(eventLeafHash(event, this.#audit.salts));
      added += 1;
      if (added % SYNC_BATCH === 0) this.#audit.commitLeaves();
    }
    this.#audit.commitLeaves();
    return added;
  }

  /**
   * Syncs, signs the tree head with the log's private key (`PRIVATE+KEY+…`) and
   * saves the checkpoint. `now` is passed in so callers and tests control the clock.
   * A log never signs a tree inconsistent with one it signed before (C2SP
   * tlog-checkpoint): the new tree is first proven an extension of the previous
   * checkpoint with an RFC 6962 consistency proof checked against both roots,
   * and nothing is signed or saved (an {@link InconsistentTreeError}) when it is not.
   */
  async checkpoint(
    privateKey: string,
    options: { readonly origin: string; readonly now: Date; readonly reason: CheckpointReason },
  ): Promise<SavedCheckpoint> {
    await this.sync();
    this.proveExtends(this.#tree.size, this.#tree.root());
    const note = signCheckpoint(
      {
        origin: options.origin,
        size: this.#tree.size,
        rootHash: this.#tree.root(),
        time: options.now.toISOString(),
      },
      privateKey,
    );
    return this.#audit.saveCheckpoint(
      this.#tree.size,
      note,
      options.reason,
      options.now.toISOString(),
    );
  }

  /**
   * Throws an {@link InconsistentTreeError} unless the tree of `size` leaves
   * with `root` extends the latest saved checkpoint, by a consistency proof
   * from this tree checked against the two roots alone.
   */
  proveExtends(size: number, root: Buffer): void {
    const previous = this.latestCheckpoint();
    if (previous === undefined) return;
    const { saved, checkpoint: prev } = previous;
    if (prev.size > size) {
      throw new InconsistentTreeError(
        `the log holds ${size} events, fewer than the ${prev.size} of checkpoint #${saved.id}: it was cut, and a smaller tree is not signed`,
        prev.size,
      );
    }
    const proof = this.#tree.consistencyProof(prev.size, size);
    if (!verifyConsistency(prev.size, size, prev.rootHash, root, proof)) {
      throw new InconsistentTreeError(
        `the tree of ${size} events is not consistent with checkpoint #${saved.id} (${prev.size} events, signed ${prev.time}): the recorded leaves up to ${prev.size} no longer hash to its root, so nothing is signed`,
        prev.size,
      );
    }
  }

  /** The last checkpoint parsed, kept while it is still the latest (a trail proves many events). */
  #parsed: { saved: SavedCheckpoint; checkpoint: Checkpoint } | undefined;

  /** The most recent checkpoint saved, parsed (signature not checked here). */
  latestCheckpoint(): { saved: SavedCheckpoint; checkpoint: Checkpoint } | undefined {
    const saved = this.#audit.latestCheckpoint();
    if (saved === undefined) return undefined;
    const parsed = this.#parsed;
    if (parsed?.saved.id === saved.id && parsed.saved.note === saved.note) return parsed;
    this.#parsed = { saved, checkpoint: parseCheckpoint(saved.note) };
    return this.#parsed;
  }

  /**
   * The inclusion proof of `event` in the tree of the latest checkpoint. Throws
   * a RangeError when the event has no leaf yet or the latest checkpoint does
   * not cover it (make a checkpoint first).
   */
  prove(event: RecordedEvent): InclusionEvidence {
    const latest = this.latestCheckpoint();
    if (latest === undefined)
      throw new RangeError('no checkpoint yet: make one with `nhagiao audit checkpoint`');
    const index = this.indexOf(event.position);
    if (index === undefined)
      throw new RangeError(
        `event at position ${event.position} has no leaf yet: sync the audit log`,
      );
    const size = latest.checkpoint.size;
    if (index >= size) {
      throw new RangeError(
        `event at position ${event.position} (leaf ${index}) is after the latest checkpoint (${size} events): make a new checkpoint`,
      );
    }
    const leafHash = eventLeafHash(event, this.#audit.salts);
    const proof = this.#tree.inclusionProof(index, size);
    const root = latest.checkpoint.rootHash;
    return {
      eventId: event.id,
      position: event.position.toString(),
      stream: event.stream,
      type: event.type,
      index,
      leaf: encodeLeaf(event, this.#audit.salts).toString('utf8'),
      leafHash: toHex(leafHash),
      treeSize: size,
      rootHash: toHex(root),
      proof: proof.map(toHex),
      checkpoint: latest.saved.note,
      verified: verifyInclusion(leafHash, index, size, proof, root),
    };
  }

  /** RFC 6962 §2.1.2 proof that the tree of `fromSize` leaves is a prefix of the tree of `toSize`. */
  consistency(fromSize: number, toSize: number = this.#tree.size): ConsistencyEvidence {
    return {
      fromSize,
      toSize,
      fromRoot: toHex(this.#tree.rootAt(fromSize)),
      toRoot: toHex(this.#tree.rootAt(toSize)),
      proof: this.#tree.consistencyProof(fromSize, toSize).map(toHex),
    };
  }
}

/**
 * Finds an event through the port: by id with the store's index when it has one
 * (SQLite), else by scanning the log; or by position.
 */
export const findLoggedEvent = async (
  store: EventStore,
  ref: { readonly id: string } | { readonly position: bigint },
): Promise<RecordedEvent | undefined> => {
  if ('position' in ref) {
    // Where positions are byte offsets (EventStoreDB), position - 1 is inside a record.
    if (store.readAt) return store.readAt(ref.position);
    for await (const e of store.readAll({ after: ref.position - 1n })) {
      return e.position === ref.position ? e : undefined;
    }
    return undefined;
  }
  const indexed = await store.findEvent('', ref.id);
  if (indexed !== undefined) return indexed;
  for await (const e of store.readAll()) if (e.id === ref.id) return e;
  return undefined;
};
