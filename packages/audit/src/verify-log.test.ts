import type { RecordedEvent } from '@nhagiao/domain';
import { signCheckpoint } from './checkpoint.js';
import { eventLeafHash } from './leaf.js';
import { MemoryLeafHashStore } from './leaf-hash-store.js';
import { MerkleTree } from './merkle-tree.js';
import { generateSigningKey } from './signing-key.js';
import { type CheckpointSource, LogTree, verifyLogAgainstCheckpoints } from './verify-log.js';

const ORIGIN = 'nhagiao.example/test';
const key = generateSigningKey(ORIGIN);

// Positions start at 100 and step by 10: gaps are allowed by the store port.
const makeLog = (n: number): RecordedEvent[] =>
  Array.from({ length: n }, (_, i): RecordedEvent => ({
    id: `00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`,
    type: 'TeacherRegistered' as const,
    data: { teacherId: `t-${i}`, fullName: `Giáo viên ${i}` },
    metadata: { source: 'test' },
    stream: `teacher-t-${i}`,
    revision: 0n,
    position: BigInt(100 + i * 10),
    recordedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
  }));

const withName = (e: RecordedEvent, fullName: string): RecordedEvent =>
  ({ ...e, data: { teacherId: 't-5', fullName } }) as RecordedEvent;

async function* stream(events: readonly RecordedEvent[]): AsyncIterable<RecordedEvent> {
  yield* events;
}

/** What the live system keeps: the recorded leaf table and checkpoints signed along the way. */
const record = (
  events: readonly RecordedEvent[],
  sizes: readonly number[],
  signingKey = key.privateKey,
) => {
  const leaves = new MemoryLeafHashStore();
  const tree = new MerkleTree(leaves);
  const checkpoints: CheckpointSource[] = [];
  for (const e of events) {
    tree.append(eventLeafHash(e));
    if (sizes.includes(tree.size)) {
      const time = new Date(Date.UTC(2025, 5, 1, 0, tree.size)).toISOString();
      checkpoints.push({
        label: `cp-${tree.size}`,
        note: signCheckpoint(
          { origin: ORIGIN, size: tree.size, rootHash: tree.root(), time },
          signingKey,
        ),
      });
    }
  }
  return { leaves, checkpoints };
};

const log = makeLog(20);
const { leaves, checkpoints } = record(log, [4, 8, 12, 20]);
const verify = (events: readonly RecordedEvent[], cps = checkpoints, withLeaves = true) =>
  verifyLogAgainstCheckpoints(stream(events), cps, {
    publicKey: key.publicKey,
    ...(withLeaves ? { recordedLeaves: leaves } : {}),
  });

describe('verifyLogAgainstCheckpoints', () => {
  it('holds for an untouched log', async () => {
    const report = await verify(log);
    expect(report.ok).toBe(true);
    expect(report.faults).toEqual([]);
    expect(report.checkpoints.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(report.coveredSize).toBe(20);
    expect(report.logSize).toBe(20);
  });

  it('names the position of an event whose data was changed, from the recorded leaves', async () => {
    const tampered = log.map((e, i) => (i === 5 ? withName(e, 'Ai đó') : e));
    const report = await verify(tampered);
    expect(report.ok).toBe(false);
    expect(report.checkpoints.map((c) => c.status)).toEqual([
      'ok',
      'root-mismatch',
      'root-mismatch',
      'root-mismatch',
    ]);
    expect(report.faults).toEqual([{ kind: 'event-changed', index: 5, position: 150n }]);
  });

  it('narrows a changed event to the span between two checkpoints without recorded leaves', async () => {
    const tampered = log.map((e, i) => (i === 5 ? withName(e, 'Ai đó') : e));
    const report = await verify(tampered, checkpoints, false);
    expect(report.faults[0]).toEqual({
      kind: 'changed-between',
      fromIndex: 4,
      toIndex: 8,
      firstPosition: 140n,
      lastPosition: 170n,
      label: 'cp-8',
    });
  });

  it('does not trust a recorded leaf table that no checkpoint vouches for', async () => {
    const forgedLeaves = new MemoryLeafHashStore();
    const tampered = log.map((e, i) => (i === 5 ? withName(e, 'Ai đó') : e));
    for (const e of tampered) forgedLeaves.append(eventLeafHash(e));
    const report = await verifyLogAgainstCheckpoints(stream(tampered), checkpoints, {
      publicKey: key.publicKey,
      recordedLeaves: forgedLeaves,
    });
    expect(report.faults[0]).toMatchObject({ kind: 'changed-between', fromIndex: 4, toIndex: 8 });
  });

  it('names a deleted event and does not blame the events after it', async () => {
    const report = await verify(log.filter((_, i) => i !== 9));
    expect(report.ok).toBe(false);
    expect(report.faults).toEqual([
      { kind: 'log-truncated', logSize: 19, checkpointSize: 20, label: 'cp-20' },
      { kind: 'event-deleted', index: 9, nextPosition: 200n },
    ]);
  });

  it('names two events that were swapped, positions and all', async () => {
    const swapped = [...log];
    [swapped[6], swapped[7]] = [swapped[7] as RecordedEvent, swapped[6] as RecordedEvent];
    const report = await verify(swapped);
    expect(report.faults).toContainEqual({
      kind: 'position-not-increasing',
      index: 7,
      position: 160n,
      previous: 170n,
    });
    expect(report.faults).toContainEqual({
      kind: 'events-reordered',
      index: 6,
      positions: [170n, 160n],
    });
  });

  it('names both events when two events exchanged their positions', async () => {
    const exchanged = log.map((e, i) =>
      i === 6
        ? { ...(log[7] as RecordedEvent), position: e.position }
        : i === 7
          ? { ...(log[6] as RecordedEvent), position: e.position }
          : e,
    );
    const report = await verify(exchanged);
    expect(report.faults).toEqual([
      { kind: 'event-changed', index: 6, position: 160n },
      { kind: 'event-changed', index: 7, position: 170n },
    ]);
  });

  it('accepts events appended after the last checkpoint but says they are not covered yet', async () => {
    const longer = makeLog(23);
    const report = await verify(longer);
    expect(report.ok).toBe(true);
    expect(report.logSize).toBe(23);
    expect(report.coveredSize).toBe(20);
  });

  it('reports a checkpoint signed without the signing key for a forged appended event', async () => {
    const longer = makeLog(21);
    const forger = generateSigningKey(ORIGIN);
    const forged = record(longer, [21], forger.privateKey).checkpoints;
    const report = await verify(longer, [...checkpoints, ...forged]);
    expect(report.ok).toBe(false);
    expect(report.checkpoints.at(-1)).toMatchObject({ label: 'cp-21', status: 'wrong-key' });
    expect(report.coveredSize).toBe(20);
  });

  it('reports a truncated log against each checkpoint it no longer reaches', async () => {
    const report = await verify(log.slice(0, 10));
    expect(report.checkpoints.map((c) => c.status)).toEqual([
      'ok',
      'ok',
      'beyond-log',
      'beyond-log',
    ]);
    expect(report.faults).toContainEqual({
      kind: 'log-truncated',
      logSize: 10,
      checkpointSize: 12,
      label: 'cp-12',
    });
  });

  it('reports a checkpoint with a bad signature', async () => {
    const bad = {
      label: 'edited',
      note: (checkpoints[1] as CheckpointSource).note.replace('\n8\n', '\n9\n'),
    };
    const report = await verify(log, [...checkpoints, bad]);
    expect(report.checkpoints.at(-1)).toMatchObject({ label: 'edited', status: 'bad-signature' });
    expect(report.ok).toBe(false);
  });

  it('reports a rolled-back checkpoint: signed later for a smaller tree', async () => {
    const rewound: CheckpointSource = {
      label: 'rewound',
      note: signCheckpoint(
        {
          origin: ORIGIN,
          size: 10,
          rootHash: new MerkleTree(leaves).rootAt(10),
          time: '2026-01-01T00:00:00.000Z',
        },
        key.privateKey,
      ),
    };
    const report = await verify(log.slice(0, 10), [...checkpoints, rewound]);
    expect(report.checkpoints.find((c) => c.label === 'rewound')).toMatchObject({
      status: 'rolled-back',
    });
    expect(report.ok).toBe(false);
  });

  it('reports a fork: a later checkpoint of the same size with another root', async () => {
    const other = makeLog(8).map((e, i) =>
      i === 2 ? { ...e, recordedAt: '2025-01-02T00:00:00.000Z' } : e,
    );
    const tree = new MerkleTree();
    for (const e of other) tree.append(eventLeafHash(e));
    const fork: CheckpointSource = {
      label: 'fork',
      note: signCheckpoint(
        { origin: ORIGIN, size: 8, rootHash: tree.root(), time: '2026-02-01T00:00:00.000Z' },
        key.privateKey,
      ),
    };
    const report = await verify(log, [...checkpoints, fork]);
    expect(report.checkpoints.find((c) => c.label === 'fork')).toMatchObject({
      status: 'rolled-back',
    });
    expect(report.checkpoints.find((c) => c.label === 'cp-8')).toMatchObject({ status: 'ok' });
  });
});

describe('LogTree', () => {
  it("holds each event's own leaf hash and the root of a tree of eventLeafHash", () => {
    // Past 64 leaves, so the cached subtree levels are filled too.
    const events = makeLog(130);
    const logTree = new LogTree();
    const reference = new MerkleTree();
    for (const e of events) {
      logTree.add(e);
      reference.append(eventLeafHash(e));
      expect(logTree.tree.root().equals(reference.root())).toBe(true);
    }
    events.forEach((e, i) => expect(logTree.tree.leafHash(i).equals(eventLeafHash(e))).toBe(true));
    expect(logTree.tree.rootAt(100).equals(reference.rootAt(100))).toBe(true);
    expect(logTree.tree.inclusionProof(70)).toEqual(reference.inclusionProof(70));
  });
});
