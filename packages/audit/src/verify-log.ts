import type { RecordedEvent } from '@nhagiao/domain';
import { type Checkpoint, type CheckpointFailure, verifyCheckpoint } from './checkpoint.js';
import { HASH_SIZE, toHex } from './hash.js';
import { writeEventLeafHash } from './leaf.js';
import type { LeafHashStore } from './leaf-hash-store.js';
import { NO_SALTS, type PersonalSalts } from './personal.js';
import { MerkleTree } from './merkle-tree.js';
import { verifyConsistency } from './verify.js';

/** A saved checkpoint to check the log against; `label` names it in the report (a file, "saved #3"). */
export interface CheckpointSource {
  readonly label: string;
  readonly note: string;
}

export interface LogVerificationOptions {
  /** The auditor's public key, `<name>+<id>+<data>`. */
  readonly publicKey: string;
  /** The log's origin; defaults to the key's name. */
  readonly origin?: string;
  /**
   * The leaf hashes recorded as events were appended (a persisted table). Once a
   * signed checkpoint vouches for them, the report names each event that differs
   * from what was recorded; without them it can only name the span between two
   * checkpoints.
   */
  readonly recordedLeaves?: LeafHashStore;
  /** At most this many event-level faults are listed (default 100); the rest are counted. */
  readonly maxFaults?: number;
  /** The salts of events' personal data (the audit file's, or an exported bundle's). */
  readonly salts?: PersonalSalts;
}

export type CheckpointStatus =
  | 'ok'
  | CheckpointFailure
  /** The log's tree at this size has another root: an event up to it was changed, removed or moved. */
  | 'root-mismatch'
  /** The checkpoint covers more events than the log holds: the log was truncated. */
  | 'beyond-log'
  /** Signed later than another checkpoint but for a smaller tree, or for the same size with another root. */
  | 'rolled-back';

export interface CheckpointReport {
  readonly label: string;
  readonly status: CheckpointStatus;
  readonly message: string;
  /** Present when the note could be read and its signature verified. */
  readonly checkpoint?: Checkpoint;
  /**
   * The RFC 6962 consistency proof from this checkpoint to the reference one
   * (the largest whose root the recomputed log matches), computed from the
   * recomputed tree and checked against the two signed roots alone. Absent for
   * the reference itself, for checkpoints past the log or not verified.
   */
  readonly consistency?: {
    readonly with: string;
    readonly size: number;
    readonly proofHashes: number;
    readonly consistent: boolean;
  };
}

export type LogFault =
  | {
      readonly kind: 'position-not-increasing';
      readonly index: number;
      readonly position: bigint;
      readonly previous: bigint;
    }
  /** The event at `position` is not the one recorded at that place. */
  | { readonly kind: 'event-changed'; readonly index: number; readonly position: bigint }
  /** The event recorded at `index` is missing; `nextPosition` is the log event now in its place, if any. */
  | { readonly kind: 'event-deleted'; readonly index: number; readonly nextPosition: bigint | null }
  /** The events recorded at `index` and `index + 1` appear in the opposite order. */
  | {
      readonly kind: 'events-reordered';
      readonly index: number;
      readonly positions: readonly [bigint, bigint];
    }
  /** The log ends before a checkpoint's size. */
  | {
      readonly kind: 'log-truncated';
      readonly logSize: number;
      readonly checkpointSize: number;
      readonly label: string;
    }
  /**
   * Some event among leaves [fromIndex, toIndex) (positions first..last) differs
   * from what `label` signed; no recorded leaf hashes vouched for narrow it down.
   */
  | {
      readonly kind: 'changed-between';
      readonly fromIndex: number;
      readonly toIndex: number;
      readonly firstPosition: bigint | null;
      readonly lastPosition: bigint | null;
      readonly label: string;
    };

export interface LogVerificationReport {
  /** True when every checkpoint verified and matched, and no fault was found. */
  readonly ok: boolean;
  readonly logSize: number;
  /** Hex root of the whole log as recomputed. */
  readonly logRoot: string;
  /** The largest size vouched for by a matching checkpoint; later events are not yet signed for. */
  readonly coveredSize: number;
  readonly checkpoints: readonly CheckpointReport[];
  readonly faults: readonly LogFault[];
  /** Event-level faults left out beyond `maxFaults`. */
  readonly faultsOmitted: number;
}

/** Positions by leaf index, 8 bytes each, so a million events cost 8 MB, not a million bigints. */
export class PositionList {
  #items = new BigUint64Array(1024);
  size = 0;
  push(p: bigint): void {
    if (this.size === this.#items.length) {
      const grown = new BigUint64Array(this.#items.length * 2);
      grown.set(this.#items);
      this.#items = grown;
    }
    this.#items[this.size++] = p;
  }
  at(i: number): bigint | null {
    return i >= 0 && i < this.size ? (this.#items[i] as bigint) : null;
  }
}

interface Valid {
  readonly index: number;
  readonly checkpoint: Checkpoint;
}

/** Marks checkpoints that a later-signed one contradicts: smaller tree, or same size and another root. */
const findRollbacks = (
  valid: readonly Valid[],
  sources: readonly CheckpointSource[],
): Map<number, string> => {
  const rolledBack = new Map<number, string>();
  const byTime = [...valid].sort(
    (a, b) => Date.parse(a.checkpoint.time) - Date.parse(b.checkpoint.time),
  );
  let largest: Valid | undefined;
  const rootBySize = new Map<number, Valid>();
  for (const v of byTime) {
    const c = v.checkpoint;
    const sameSize = rootBySize.get(c.size);
    if (largest !== undefined && c.size < largest.checkpoint.size) {
      const l = largest.checkpoint;
      rolledBack.set(
        v.index,
        `signed at ${c.time} for ${c.size} events, after "${sources[largest.index]?.label}" signed at ${l.time} for ${l.size}`,
      );
    } else if (sameSize !== undefined && !sameSize.checkpoint.rootHash.equals(c.rootHash)) {
      rolledBack.set(
        v.index,
        `signed at ${c.time} for ${c.size} events with another root than "${sources[sameSize.index]?.label}" (${sameSize.checkpoint.time})`,
      );
    }
    if (!rolledBack.has(v.index)) {
      if (largest === undefined || c.size >= largest.checkpoint.size) largest = v;
      if (sameSize === undefined) rootBySize.set(c.size, v);
    }
  }
  return rolledBack;
};

const MAX_KEPT_ORDER_FAULTS = 10_000;

/**
 * The Merkle tree of a log recomputed event by event, as a reader streams it
 * (verify feeds it from the same pass that replays the ledger), with the
 * positions by leaf and the order faults met on the way.
 */
export class LogTree {
  readonly tree = new MerkleTree();
  readonly positions = new PositionList();
  readonly orderFaults: LogFault[] = [];
  /** Order faults beyond those kept (a log shuffled wholesale must not fill memory). */
  orderFaultsOmitted = 0;
  #previous: bigint | null = null;
  /** The leaf hash of the event being added; the tree copies it, so one buffer serves every event. */
  readonly #leafHash = Buffer.alloc(HASH_SIZE);
  readonly #salts: PersonalSalts;

  /** `salts`: where the salts of personal data are kept (without them those leaves cannot match). */
  constructor(salts: PersonalSalts = NO_SALTS) {
    this.#salts = salts;
  }

  add(event: RecordedEvent): void {
    const previous = this.#previous;
    if (previous !== null && event.position <= previous) {
      if (this.orderFaults.length >= MAX_KEPT_ORDER_FAULTS) this.orderFaultsOmitted += 1;
      else
        this.orderFaults.push({
          kind: 'position-not-increasing',
          index: this.tree.size,
          position: event.position,
          previous,
        });
    }
    this.#previous = event.position;
    this.positions.push(event.position);
    writeEventLeafHash(event, this.#leafHash, 0, this.#salts);
    this.tree.append(this.#leafHash);
  }
}

/**
 * Recomputes the Merkle tree while streaming the log and checks it against every
 * checkpoint: signature, rollback against the others, and the root at its size.
 * Where something does not hold, the report names the event positions at fault
 * as precisely as the evidence allows (see `recordedLeaves`).
 */
export const verifyLogAgainstCheckpoints = async (
  events: AsyncIterable<RecordedEvent>,
  checkpoints: readonly CheckpointSource[],
  options: LogVerificationOptions,
): Promise<LogVerificationReport> => {
  const log = new LogTree(options.salts);
  for await (const event of events) log.add(event);
  return verifyLogTree(log, checkpoints, options);
};

/** Checks a log recomputed with {@link LogTree} against every checkpoint (see `verifyLogAgainstCheckpoints`). */
export const verifyLogTree = (
  log: LogTree,
  checkpoints: readonly CheckpointSource[],
  options: LogVerificationOptions,
): LogVerificationReport => {
  const maxFaults = options.maxFaults ?? 100;
  const faults: LogFault[] = [];
  let omitted = 0;
  const fault = (f: LogFault): void => {
    if (faults.length < maxFaults) faults.push(f);
    else omitted += 1;
  };

  const verdicts = checkpoints.map((c) =>
    verifyCheckpoint(
      c.note,
      options.publicKey,
      options.origin === undefined ? {} : { origin: options.origin },
    ),
  );
  const valid: Valid[] = verdicts.flatMap((v, index) =>
    v.ok ? [{ index, checkpoint: v.checkpoint }] : [],
  );
  const rolledBack = findRollbacks(valid, checkpoints);

  const { tree, positions } = log;
  for (const f of log.orderFaults) fault(f);
  omitted += log.orderFaultsOmitted;

  const reports: CheckpointReport[] = [];
  const matched: Checkpoint[] = [];
  const mismatched: { label: string; checkpoint: Checkpoint }[] = [];
  checkpoints.forEach((source, i) => {
    const verdict = verdicts[i];
    if (verdict === undefined) return;
    if (!verdict.ok) {
      reports.push({ label: source.label, status: verdict.reason, message: verdict.message });
      return;
    }
    const c = verdict.checkpoint;
    const rollback = rolledBack.get(i);
    if (c.size > tree.size) {
      reports.push({
        label: source.label,
        status: 'beyond-log',
        message: `covers ${c.size} events but the log holds ${tree.size}`,
        checkpoint: c,
      });
      fault({
        kind: 'log-truncated',
        logSize: tree.size,
        checkpointSize: c.size,
        label: source.label,
      });
    } else if (!tree.rootAt(c.size).equals(c.rootHash)) {
      reports.push({
        label: source.label,
        status: rollback === undefined ? 'root-mismatch' : 'rolled-back',
        message: rollback ?? `the log's first ${c.size} events no longer hash to the signed root`,
        checkpoint: c,
      });
      mismatched.push({ label: source.label, checkpoint: c });
    } else if (rollback !== undefined) {
      reports.push({
        label: source.label,
        status: 'rolled-back',
        message: rollback,
        checkpoint: c,
      });
    } else {
      reports.push({
        label: source.label,
        status: 'ok',
        message: `root of ${c.size} events matches`,
        checkpoint: c,
      });
      matched.push(c);
    }
  });

  // Consistency of every signed checkpoint with the reference, by proof.
  const reference = [...matched].sort((a, b) => b.size - a.size)[0];
  const referenceLabel =
    reference === undefined
      ? undefined
      : reports.find((r) => r.status === 'ok' && r.checkpoint === reference)?.label;
  if (reference !== undefined && referenceLabel !== undefined) {
    reports.forEach((r, i) => {
      const c = r.checkpoint;
      if (c === undefined || c === reference || c.size > reference.size) return;
      const proof = tree.consistencyProof(c.size, reference.size);
      reports[i] = {
        ...r,
        consistency: {
          with: referenceLabel,
          size: reference.size,
          proofHashes: proof.length,
          consistent: verifyConsistency(
            c.size,
            reference.size,
            c.rootHash,
            reference.rootHash,
            proof,
          ),
        },
      };
    });
  }

  const needsLocating = mismatched.length > 0 || reports.some((r) => r.status === 'beyond-log');
  // Only a fault needs the recorded leaves' own tree (a million leaves: ~2 s of hashing).
  const trusted = needsLocating
    ? trustedRecordedSize(options.recordedLeaves, valid, rolledBack)
    : 0;
  let firstFaultAt = Number.POSITIVE_INFINITY;
  if (needsLocating && options.recordedLeaves !== undefined && trusted > 0) {
    firstFaultAt = compareWithRecorded(tree, positions, options.recordedLeaves, trusted, fault);
  }
  // A mismatch not explained by a named event lies after the last point known good:
  // a matching checkpoint, or the recorded prefix that compared clean.
  for (const m of mismatched) {
    if (firstFaultAt < m.checkpoint.size) continue;
    const knownGood = [...matched.map((c) => c.size), Math.min(trusted, firstFaultAt)].filter(
      (size) => size < m.checkpoint.size,
    );
    const from = Math.max(0, ...knownGood);
    fault({
      kind: 'changed-between',
      fromIndex: from,
      toIndex: m.checkpoint.size,
      firstPosition: positions.at(from),
      lastPosition: positions.at(m.checkpoint.size - 1),
      label: m.label,
    });
  }

  const coveredSize = Math.max(0, ...matched.map((c) => c.size));
  return {
    ok: faults.length === 0 && reports.every((r) => r.status === 'ok'),
    logSize: tree.size,
    logRoot: toHex(tree.root()),
    coveredSize,
    checkpoints: reports,
    faults,
    faultsOmitted: omitted,
  };
};

/** How much of the recorded leaf table a valid, not rolled-back checkpoint vouches for. */
const trustedRecordedSize = (
  recorded: LeafHashStore | undefined,
  valid: readonly Valid[],
  rolledBack: ReadonlyMap<number, string>,
): number => {
  if (recorded === undefined || recorded.size === 0) return 0;
  const candidates = valid.filter(
    (v) => !rolledBack.has(v.index) && v.checkpoint.size <= recorded.size,
  );
  if (candidates.length === 0) return 0;
  const recordedTree = new MerkleTree(recorded);
  return Math.max(
    0,
    ...candidates
      .filter((v) => recordedTree.rootAt(v.checkpoint.size).equals(v.checkpoint.rootHash))
      .map((v) => v.checkpoint.size),
  );
};

/**
 * Walks the log against the vouched-for recorded leaves, naming each event that
 * differs; returns the first leaf index at fault (Infinity when none). A removed event shifts everything after it, so the walk realigns on
 * the recorded leaf that follows instead of reporting every later event.
 */
const compareWithRecorded = (
  tree: MerkleTree,
  positions: PositionList,
  recorded: LeafHashStore,
  trusted: number,
  fault: (f: LogFault) => void,
): number => {
  const logAt = (i: number) => (i < tree.size ? tree.leafHash(i) : null);
  const recAt = (i: number) => (i < trusted ? recorded.get(i) : null);
  const same = (a: Buffer | null, b: Buffer | null) => a !== null && b !== null && a.equals(b);
  let li = 0;
  let ri = 0;
  let first = Number.POSITIVE_INFINITY;
  const at = (i: number) => {
    first = Math.min(first, i);
  };
  while (ri < trusted && li < tree.size) {
    const log = logAt(li);
    const rec = recAt(ri);
    if (same(log, rec)) {
      li += 1;
      ri += 1;
    } else if (same(log, recAt(ri + 1)) && same(logAt(li + 1), rec)) {
      at(li);
      fault({
        kind: 'events-reordered',
        index: ri,
        positions: [positions.at(li) ?? 0n, positions.at(li + 1) ?? 0n],
      });
      li += 2;
      ri += 2;
    } else if (same(log, recAt(ri + 1))) {
      at(li);
      fault({ kind: 'event-deleted', index: ri, nextPosition: positions.at(li) });
      ri += 1;
    } else {
      at(li);
      fault({ kind: 'event-changed', index: li, position: positions.at(li) ?? 0n });
      li += 1;
      ri += 1;
    }
  }
  // Recorded events past the end of the log were cut off; `log-truncated` reports that against the checkpoint.
  if (ri < trusted) at(tree.size);
  return first;
};
