import { HASH_SIZE } from './hash.js';
import type { MerkleTree } from './merkle-tree.js';

/** C2SP tlog-tiles: every tile is a subtree of height 8, 256 hashes wide when full. */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 1 << TILE_HEIGHT;
/** Largest entry an entry bundle can carry (uint16 length prefix). */
export const MAX_ENTRY_BYTES = 0xffff;

/** A hash tile (`level` 0–63) or an entry bundle (`level` 'entries'); `width` 256 for a full one. */
export interface TileRef {
  readonly level: number | 'entries';
  readonly index: number;
  readonly width: number;
}

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** `<N>` as C2SP writes it: 3-digit groups, every group but the last prefixed with `x`. */
export const formatTileIndex = (index: number): string => {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index ${index}`);
  let n = index;
  const groups = [String(n % 1000).padStart(3, '0')];
  n = Math.floor(n / 1000);
  while (n > 0) {
    groups.unshift(`x${String(n % 1000).padStart(3, '0')}`);
    n = Math.floor(n / 1000);
  }
  return groups.join('/');
};

/** The path of a tile under the log's prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. */
export const formatTilePath = (t: TileRef): string =>
  `tile/${t.level}/${formatTileIndex(t.index)}${t.width === TILE_WIDTH ? '' : `.p/${t.width}`}`;

/**
 * Reads a tile path (with or without the leading `tile/`), exactly as C2SP
 * spells it: no leading zeroes in `<L>` or `<W>`, `x` on every group of `<N>`
 * but the last, `<W>` from 1 to 255. A message says what is wrong otherwise.
 */
export const parseTilePath = (
  path: string,
): { ok: true; tile: TileRef } | { ok: false; message: string } => {
  const parts = path.replace(/^tile\//, '').split('/');
  const [levelText, ...rest] = parts;
  let level: number | 'entries';
  if (levelText === 'entries') level = 'entries';
  else if (levelText !== undefined && DECIMAL.test(levelText) && Number(levelText) <= 63)
    level = Number(levelText);
  else return { ok: false, message: `level "${levelText ?? ''}" is not 0–63 or "entries"` };
  let width = TILE_WIDTH;
  let groups = rest;
  if (rest.length >= 2 && rest[rest.length - 2]?.endsWith('.p')) {
    const w = rest[rest.length - 1] as string;
    if (!DECIMAL.test(w) || Number(w) < 1 || Number(w) >= TILE_WIDTH)
      return { ok: false, message: `partial width "${w}" is not 1–255` };
    width = Number(w);
    const last = rest[rest.length - 2] as string;
    groups = [...rest.slice(0, -2), last.slice(0, -2)];
  }
  if (groups.length === 0 || groups.length > 6)
    return { ok: false, message: 'missing or overlong tile index' };
  let index = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] as string;
    const last = i === groups.length - 1;
    const m = (last ? /^([0-9]{3})$/ : /^x([0-9]{3})$/).exec(g);
    if (m === null)
      return {
        ok: false,
        message: `index element "${g}" must be 3 digits${last ? '' : ' after an x'}`,
      };
    index = index * 1000 + Number(m[1]);
  }
  if (!Number.isSafeInteger(index)) return { ok: false, message: 'tile index too large' };
  return { ok: true, tile: { level, index, width } };
};

/** How many leaves one hash of a tile at `level` stands for: 256^level. */
const span = (level: number): number => TILE_WIDTH ** level;

/**
 * Whether the tile is part of the tree of `size` leaves: each of its hashes a
 * complete subtree. That holds for a full tile once the tree has grown past it,
 * and for the partial tile of every earlier size (`floor(s / 256^L) mod 256`
 * wide), so an auditor holding an older checkpoint can still fetch its tiles.
 */
export const tileInTree = (t: TileRef, size: number): boolean => {
  const level = t.level === 'entries' ? 0 : t.level;
  const count = Math.floor(size / span(level)); // complete hashes at this level
  return t.index * TILE_WIDTH + t.width <= count;
};

/**
 * The bytes of a hash tile: `width` hashes, the i-th being
 * MTH(D[(N·256 + i)·256^L : (N·256 + i + 1)·256^L]). The caller checks
 * {@link tileInTree} against the size it publishes.
 */
export const tileBytes = (
  tree: MerkleTree,
  level: number,
  index: number,
  width: number,
): Buffer => {
  const out = Buffer.allocUnsafe(width * HASH_SIZE);
  const n = span(level);
  for (let i = 0; i < width; i++) {
    const start = (index * TILE_WIDTH + i) * n;
    const hash = level === 0 ? tree.leafHash(start) : tree.subtreeHash(start, n);
    hash.copy(out, i * HASH_SIZE);
  }
  return out;
};

/** An entry bundle: each entry as a big-endian uint16 length, then its bytes. */
export const entryBundle = (entries: readonly Uint8Array[]): Buffer => {
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES)
      throw new RangeError(`an entry of ${e.length} bytes does not fit a bundle`);
    total += 2 + e.length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) {
    out.writeUInt16BE(e.length, at);
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
};

/** Splits an entry bundle back into its entries; throws a RangeError when it is cut short. */
export const parseEntryBundle = (bundle: Uint8Array): Buffer[] => {
  const bytes = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.length);
  const out: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw new RangeError(`entry bundle cut short at byte ${at}`);
    const n = bytes.readUInt16BE(at);
    if (at + 2 + n > bytes.length) throw new RangeError(`entry bundle cut short at byte ${at}`);
    out.push(Buffer.from(bytes.subarray(at + 2, at + 2 + n)));
    at += 2 + n;
  }
  return out;
};
