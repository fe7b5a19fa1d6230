import { EMPTY_ROOT, fromHex, hashChildren, hashLeaf, toHex } from './hash.js';
import { MemoryLeafHashStore } from './leaf-hash-store.js';
import { MerkleTree } from './merkle-tree.js';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify.js';

// RFC 6962 test tree, as published in transparency-dev/merkle (testonly/constants.go,
// proof/verify_test.go) and certificate-transparency-go.
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(fromHex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// (leaf index, tree size, proof); the published vectors number leaves from 1.
const INCLUSION: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const rfcTree = (): MerkleTree => {
  const tree = new MerkleTree();
  for (const leaf of LEAVES) tree.append(hashLeaf(leaf));
  return tree;
};

/** Deterministic PRNG (mulberry32) so a failing property names its seed. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return (below: number): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
};

const flipBit = (b: Buffer, bit: number): Buffer => {
  const c = Buffer.from(b);
  c[bit >> 3] = (c[bit >> 3] as number) ^ (1 << (bit & 7));
  return c;
};

describe('RFC 6962 test vectors', () => {
  it('gives the published root for every size 0..8, incrementally and for earlier sizes', () => {
    const tree = new MerkleTree();
    expect(toHex(tree.root())).toBe(ROOTS[0]);
    LEAVES.forEach((leaf, i) => {
      tree.append(hashLeaf(leaf));
      expect(toHex(tree.root())).toBe(ROOTS[i + 1]);
    });
    ROOTS.forEach((root, size) => expect(toHex(tree.rootAt(size))).toBe(root));
  });

  it.each(INCLUSION)('gives the published inclusion proof of leaf %d in tree %d', (i, n, want) => {
    const tree = rfcTree();
    expect(tree.inclusionProof(i, n).map(toHex)).toEqual(want);
    const leaf = hashLeaf(LEAVES[i] as Buffer);
    expect(verifyInclusion(leaf, i, n, want.map(fromHex), fromHex(ROOTS[n] as string))).toBe(true);
  });

  it.each(CONSISTENCY)('gives the published consistency proof %d → %d', (m, n, want) => {
    const tree = rfcTree();
    expect(tree.consistencyProof(m, n).map(toHex)).toEqual(want);
    const rootM = fromHex(ROOTS[m] as string);
    const rootN = fromHex(ROOTS[n] as string);
    expect(verifyConsistency(m, n, rootM, rootN, want.map(fromHex))).toBe(true);
  });
});

describe('inclusion verifier', () => {
  const tree = rfcTree();
  const root = tree.root();
  const leaf5 = tree.leafHash(5);
  const proof = tree.inclusionProof(5, 8);

  it('rejects a wrong index, size, leaf, root or a proof with a node added or removed', () => {
    expect(verifyInclusion(leaf5, 4, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaf5, 7, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaf5, 5, 16, proof, root)).toBe(false);
    expect(verifyInclusion(leaf5, 5, 4, proof, root)).toBe(false);
    expect(verifyInclusion(tree.leafHash(4), 5, 8, proof, root)).toBe(false);
    expect(verifyInclusion(leaf5, 5, 8, proof, EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(leaf5, 5, 8, [...proof, root], root)).toBe(false);
    expect(verifyInclusion(leaf5, 5, 8, proof.slice(1), root)).toBe(false);
    expect(verifyInclusion(leaf5, 5, 8, [...proof.slice(0, 2), Buffer.alloc(31)], root)).toBe(
      false,
    );
  });

  it('rejects an index outside the tree', () => {
    expect(rootFromInclusionProof(leaf5, 8, 8, proof)).toBeNull();
    expect(rootFromInclusionProof(leaf5, 0, 0, [])).toBeNull();
  });
});

describe('consistency verifier', () => {
  const tree = rfcTree();
  const r = (n: number) => tree.rootAt(n);

  it('holds for the trivial cases and rejects time travel and unequal roots of one size', () => {
    expect(verifyConsistency(0, 5, EMPTY_ROOT, r(5), [])).toBe(true);
    expect(verifyConsistency(5, 5, r(5), r(5), [])).toBe(true);
    expect(verifyConsistency(5, 5, r(5), r(4), [])).toBe(false);
    expect(verifyConsistency(6, 5, r(6), r(5), tree.consistencyProof(5, 6))).toBe(false);
    expect(verifyConsistency(2, 5, r(2), r(5), [])).toBe(false);
  });

  it('rejects swapped roots, a wrong first size and a proof with a node dropped', () => {
    const proof = tree.consistencyProof(3, 7);
    expect(verifyConsistency(3, 7, r(3), r(7), proof)).toBe(true);
    expect(verifyConsistency(3, 7, r(7), r(3), proof)).toBe(false);
    expect(verifyConsistency(4, 7, r(3), r(7), proof)).toBe(false);
    expect(verifyConsistency(3, 7, r(3), r(7), proof.slice(0, -1))).toBe(false);
    expect(verifyConsistency(3, 7, r(3), r(7), [...proof, r(7)])).toBe(false);
  });
});

describe('properties over random trees', () => {
  // Sizes across the in-memory subtree cache boundary (64 leaves) and odd shapes.
  const sizes = [1, 2, 3, 63, 64, 65, 127, 128, 129, 200, 257, 1000, 1025];
  const maxSize = Math.max(...sizes);
  const tree = new MerkleTree();
  const leaves: Buffer[] = [];
  const rootsBySize: Buffer[] = [tree.root()];
  for (let i = 0; i < maxSize; i++) {
    const leaf = hashLeaf(Buffer.from(`leaf ${i}`));
    leaves.push(leaf);
    tree.append(leaf);
    rootsBySize.push(tree.root());
  }

  // RFC 6962 §2.1 MTH and §2.1.1 PATH written straight from the definitions.
  const refSplit = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);
  const refMth = (d: Buffer[]): Buffer => {
    if (d.length === 0) return EMPTY_ROOT;
    if (d.length === 1) return d[0] as Buffer;
    const k = refSplit(d.length);
    return hashChildren(refMth(d.slice(0, k)), refMth(d.slice(k)));
  };
  const refPath = (m: number, d: Buffer[]): Buffer[] => {
    if (d.length <= 1) return [];
    const k = refSplit(d.length);
    return m < k
      ? [...refPath(m, d.slice(0, k)), refMth(d.slice(k))]
      : [...refPath(m - k, d.slice(k)), refMth(d.slice(0, k))];
  };

  it('agrees with the RFC definitions of MTH and PATH', () => {
    const rand = prng(3);
    for (const n of sizes) {
      expect(toHex(tree.rootAt(n))).toBe(toHex(refMth(leaves.slice(0, n))));
      const i = rand(n);
      expect(tree.inclusionProof(i, n).map(toHex)).toEqual(
        refPath(i, leaves.slice(0, n)).map(toHex),
      );
    }
  });

  it('roots of earlier sizes equal the roots the tree had at those sizes', () => {
    for (let n = 0; n <= maxSize; n++)
      expect(tree.rootAt(n).equals(rootsBySize[n] as Buffer)).toBe(true);
  });

  it('every inclusion proof verifies and fails with any single bit flipped', () => {
    const rand = prng(7);
    for (const n of sizes) {
      const root = tree.rootAt(n);
      for (let trial = 0; trial < 12; trial++) {
        const i = rand(n);
        const proof = tree.inclusionProof(i, n);
        expect(verifyInclusion(leaves[i] as Buffer, i, n, proof, root)).toBe(true);
        expect(verifyInclusion(flipBit(leaves[i] as Buffer, rand(256)), i, n, proof, root)).toBe(
          false,
        );
        expect(verifyInclusion(leaves[i] as Buffer, i, n, proof, flipBit(root, rand(256)))).toBe(
          false,
        );
        if (proof.length > 0) {
          const at = rand(proof.length);
          const bad = proof.map((p, j) => (j === at ? flipBit(p, rand(256)) : p));
          expect(verifyInclusion(leaves[i] as Buffer, i, n, bad, root)).toBe(false);
        }
      }
    }
  });

  it('every consistency proof verifies and fails with any single bit flipped', () => {
    const rand = prng(11);
    for (const n of sizes) {
      for (let trial = 0; trial < 12; trial++) {
        const m = 1 + rand(n);
        const proof = tree.consistencyProof(m, n);
        const rootM = tree.rootAt(m);
        const rootN = tree.rootAt(n);
        expect(verifyConsistency(m, n, rootM, rootN, proof)).toBe(true);
        if (m === n) continue;
        expect(verifyConsistency(m, n, flipBit(rootM, rand(256)), rootN, proof)).toBe(false);
        expect(verifyConsistency(m, n, rootM, flipBit(rootN, rand(256)), proof)).toBe(false);
        const at = rand(proof.length);
        const bad = proof.map((p, j) => (j === at ? flipBit(p, rand(256)) : p));
        expect(verifyConsistency(m, n, rootM, rootN, bad)).toBe(false);
      }
    }
  });

  it('reopens over a persisted leaf-hash store as the same tree', () => {
    const store = new MemoryLeafHashStore();
    for (const leaf of leaves.slice(0, 300)) store.append(leaf);
    const reopened = new MerkleTree(store);
    expect(reopened.size).toBe(300);
    expect(reopened.root().equals(tree.rootAt(300))).toBe(true);
    expect(reopened.inclusionProof(123, 300).map(toHex)).toEqual(
      tree.inclusionProof(123, 300).map(toHex),
    );
  });
});
