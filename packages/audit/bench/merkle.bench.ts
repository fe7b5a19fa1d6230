/**
 * Merkle tree figures for a million-event log: raw SHA-256 over leaf-sized
 * inputs (the floor), leaf encoding + tree building from RecordedEvents, the
 * full streaming verification against a checkpoint, and proof times.
 *
 *   npx tsx packages/audit/bench/merkle.bench.ts [events]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { RecordedEvent } from '@nhagiao/domain';
import {
  MerkleTree,
  encodeLeaf,
  eventLeafHash,
  generateSigningKey,
  hashLeaf,
  signCheckpoint,
  verifyConsistency,
  verifyInclusion,
  verifyLogAgainstCheckpoints,
} from '../src/index.js';

const N = Number(process.argv[2] ?? 1_000_000);
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const rate = (n: number, ms: number): string =>
  `${Math.round((n / ms) * 1000).toLocaleString('en')} /s`;

/**
 * Wall time and this process's CPU time: on a shared machine the wall figure
 * includes waiting for a core, the CPU figure is what the work itself costs.
 */
const timed = async (label: string, n: number, work: () => unknown): Promise<void> => {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wall = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  out(
    `${label.padEnd(30)} wall ${wall.toFixed(0).padStart(6)} ms ${rate(n, wall).padStart(10)}   cpu ${cpuMs.toFixed(0).padStart(6)} ms ${rate(n, cpuMs).padStart(10)}`,
  );
};

// A realistic mix: a completion with metadata, as integrators send them.
const makeEvent = (i: number): RecordedEvent =>
  ({
    id: `0192f0c4-7d2a-7b1e-9c35-${i.toString(16).padStart(12, '0')}`,
    type: 'CourseCompleted',
    data: {
      teacherId: `cdbk-${i % 5000}`,
      programmeId: `dt-2025-${i % 40}`,
      completedOn: '2025-05-12',
      hours: 40,
      result: 'passed',
    },
    metadata: { source: 'moodle.cdbk', correlationId: `c-${i}` },
    stream: `teacher-cdbk-${i % 5000}`,
    revision: BigInt(Math.floor(i / 5000)),
    position: BigInt(i + 1),
    recordedAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
  }) as RecordedEvent;

out(
  `events: ${N.toLocaleString('en')}  node ${process.version}  load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

const t = performance.now();
const events = Array.from({ length: N }, (_, i) => makeEvent(i));
out(`generate events (not counted):      ${(performance.now() - t).toFixed(0)} ms`);

const sample = encodeLeaf(events[0] as RecordedEvent);
out(`leaf size: ${sample.length} bytes`);

// Baseline: SHA-256 of N distinct leaf-sized inputs, nothing else.
const input = Buffer.alloc(sample.length, 0x61);
await timed('baseline sha256(0x00‖leaf)', N, () => {
  for (let i = 0; i < N; i++) {
    input.writeUInt32BE(i, 0);
    hashLeaf(input);
  }
});

await timed('leaf encoding + leaf hash', N, () => {
  for (let i = 0; i < N; i++) eventLeafHash(events[i] as RecordedEvent);
});

const tree = new MerkleTree();
await timed('build tree from events', N, () => {
  for (let i = 0; i < N; i++) tree.append(eventLeafHash(events[i] as RecordedEvent));
});
const root = tree.root();

const key = generateSigningKey('nhagiao.example/bench');
const note = signCheckpoint(
  { origin: 'nhagiao.example/bench', size: N, rootHash: root, time: new Date().toISOString() },
  key.privateKey,
);
async function* stream(): AsyncIterable<RecordedEvent> {
  yield* events;
}
let ok = false;
await timed('verifyLogAgainstCheckpoints', N, async () => {
  const report = await verifyLogAgainstCheckpoints(stream(), [{ label: 'bench', note }], {
    publicKey: key.publicKey,
  });
  ok = report.ok;
});
out(`  verification ok: ${ok}`);

const proofs = 2000;
let worst = 0;
let total = 0;
let verified = 0;
for (let k = 0; k < proofs; k++) {
  const i = Math.floor(Math.random() * N);
  const s = performance.now();
  const proof = tree.inclusionProof(i, N);
  const d = performance.now() - s;
  total += d;
  worst = Math.max(worst, d);
  if (verifyInclusion(tree.leafHash(i), i, N, proof, root)) verified += 1;
}
out(
  `inclusion proof (random leaf of ${N}): mean ${(total / proofs).toFixed(3)} ms, worst ${worst.toFixed(3)} ms, ${verified}/${proofs} verified`,
);

worst = 0;
total = 0;
verified = 0;
for (let k = 0; k < 200; k++) {
  const m = 1 + Math.floor(Math.random() * (N - 1));
  const s = performance.now();
  const proof = tree.consistencyProof(m, N);
  const rootM = tree.rootAt(m);
  const d = performance.now() - s;
  total += d;
  worst = Math.max(worst, d);
  if (verifyConsistency(m, N, rootM, root, proof)) verified += 1;
}
out(
  `consistency proof + earlier root (random m → ${N}): mean ${(total / 200).toFixed(3)} ms, worst ${worst.toFixed(3)} ms, ${verified}/200 verified`,
);
out(`heap used: ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB`);
