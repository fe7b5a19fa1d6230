import { mkdtempSync, rmSync } from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signCheckpoint } from './checkpoint.js';
import {
  cosignedMessage,
  generateCosignerKey,
  parseCosignerKey,
  verifyCosignatures,
} from './cosignature.js';
import { EMPTY_ROOT, hashLeaf, sha256 } from './hash.js';
import { MerkleTree } from './merkle-tree.js';
import { generateSigningKey } from './signing-key.js';
import { Witness } from './witness.js';

const log = generateSigningKey('nhagiao.test/witnessed');
const witnessKey = generateCosignerKey('witness.test/w1');
const now = new Date('2026-03-01T00:00:00Z');

const treeOf = (n: number, tag = ''): MerkleTree => {
  const t = new MerkleTree();
  for (let i = 0; i < n; i++) t.append(hashLeaf(Buffer.from(`${tag}leaf ${i}`)));
  return t;
};
const note = (t: MerkleTree, size = t.size, key = log.privateKey) =>
  signCheckpoint(
    { origin: log.name, size, rootHash: t.rootAt(size), time: '2026-03-01T00:00:00Z' },
    key,
  );
const request = (old: number, proof: Buffer[], checkpoint: string) =>
  `old ${old}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${checkpoint}`;

describe('Witness (C2SP tlog-witness add-checkpoint)', () => {
  let dir: string;
  let witness: Witness;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-witness-'));
    witness = Witness.open(
      path.join(dir, 'witness.sqlite'),
      parseCosignerKey(witnessKey.privateKey),
      [log.publicKey],
    );
  });
  afterEach(() => {
    witness.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cosigns a first checkpoint, then only trees proven to extend it', () => {
    const t = treeOf(20);
    const first = witness.addCheckpoint(request(0, [], note(t, 12)), now);
    expect(first.status).toBe(200);
    expect(verifyCosignatures(note(t, 12) + first.body, [witnessKey.publicKey])).toHaveLength(1);

    // A client that does not know the witness's size learns it from a 409.
    expect(witness.addCheckpoint(request(0, [], note(t, 20)), now)).toEqual({
      status: 409,
      contentType: 'text/x.tlog.size',
      body: '12\n',
    });
    expect(
      witness.addCheckpoint(request(12, t.consistencyProof(12, 20), note(t, 20)), now).status,
    ).toBe(200);

    // A rewritten history of the same length: its proof cannot check against what was cosigned.
    const rewritten = treeOf(25, 'x');
    const refused = witness.addCheckpoint(
      request(20, rewritten.consistencyProof(20, 25), note(rewritten)),
      now,
    );
    expect(refused.status).toBe(422);
    expect(refused.body).toBe(
      'the tree of 25 is not consistent with the tree of 20 cosigned before\n',
    );
    expect(witness.refusals()).toEqual([
      expect.objectContaining({ status: 422, origin: log.name }),
    ]);
    // Its state did not move: the honest continuation still cosigns.
    const honest = treeOf(25);
    expect(
      witness.addCheckpoint(request(20, honest.consistencyProof(20, 25), note(honest)), now).status,
    ).toBe(200);
  });

  it('answers 404, 403, 400 and 422 as the spec says', () => {
    const t = treeOf(4);
    const other = generateSigningKey('nhagiao.test/other');
    const unknown = signCheckpoint(
      { origin: other.name, size: 4, rootHash: t.root(), time: '2026-03-01T00:00:00Z' },
      other.privateKey,
    );
    expect(witness.addCheckpoint(request(0, [], unknown), now).status).toBe(404);
    // The known origin signed by another key: no trusted signature.
    expect(witness.addCheckpoint(request(0, [], note(t, 4, other.privateKey)), now).status).toBe(
      403,
    );
    const forged = note(t).replace('\n4\n', '\n3\n');
    expect(witness.addCheckpoint(request(0, [], forged), now).status).toBe(403);
    expect(witness.addCheckpoint(request(5, [], note(t)), now).status).toBe(400);
    expect(witness.addCheckpoint('old 0\nnot base64!\n\n' + note(t), now).status).toBe(400);
    const empty = signCheckpoint(
      {
        origin: log.name,
        size: 0,
        rootHash: sha256(Buffer.from('x')),
        time: '2026-03-01T00:00:00Z',
      },
      log.privateKey,
    );
    expect(witness.addCheckpoint(request(0, [], empty), now).status).toBe(422);
    expect(witness.addCheckpoint(request(0, [EMPTY_ROOT], note(t)), now).status).toBe(422);
  });

  it('signs the tlog-cosignature/v1 message: header, time line, checkpoint text, with key type 0x04', () => {
    const t = treeOf(3);
    const checkpoint = note(t);
    const line = witness.addCheckpoint(request(0, [], checkpoint), now).body;
    const m = /^\u2014 witness\.test\/w1 ([A-Za-z0-9+/=]+)\n$/u.exec(line);
    const bytes = Buffer.from(m?.[1] ?? '', 'base64');
    expect(bytes).toHaveLength(4 + 8 + 64);
    // Base64 may itself hold '+': the key data is all after the second one.
    const raw = Buffer.from(witnessKey.publicKey.split('+').slice(2).join('+'), 'base64');
    expect(raw[0]).toBe(0x04);
    expect(bytes.subarray(0, 4)).toEqual(
      sha256(Buffer.from('witness.test/w1\n\u0004', 'latin1'), raw.subarray(1)).subarray(0, 4),
    );
    const time = Number(bytes.readBigUInt64BE(4));
    expect(time).toBe(now.getTime() / 1000);
    const text = checkpoint.slice(0, checkpoint.indexOf('\n\n') + 1);
    expect(cosignedMessage(text, time).toString()).toBe(`cosignature/v1\ntime ${time}\n${text}`);
    const key = createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw.subarray(1)]),
      format: 'der',
      type: 'spki',
    });
    expect(verify(null, cosignedMessage(text, time), key, bytes.subarray(12))).toBe(true);
    // The monitoring view serves the cosigned checkpoint.
    const hash = sha256(Buffer.from(log.name)).toString('hex');
    expect(witness.latest(hash)).toMatchObject({ status: 200, body: checkpoint + line });
  });
});
