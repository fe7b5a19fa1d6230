import { createHash } from 'node:crypto';
import { parseCheckpoint, signCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { signNote } from './signed-note.js';
import { generateSigningKey, parseSigningKey, parseVerifierKey } from './signing-key.js';

const ORIGIN = 'nhagiao.example/bac-kan';
const key = generateSigningKey(ORIGIN);
const root = createHash('sha256').update('some root').digest();
/** name, key id, key data of a `name+id+data` key; the base64 data may itself hold '+'. */
const keyParts = (text: string): [string, string, string] => {
  const m = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(text);
  if (m === null) throw new Error(`not a key: ${text}`);
  return [m[1] as string, m[2] as string, m[3] as string];
};
const input = { origin: ORIGIN, size: 20852163, rootHash: root, time: '2026-03-01T02:03:04.005Z' };

describe('signed checkpoints (C2SP tlog-checkpoint + signed-note, Ed25519)', () => {
  it('writes origin, size, base64 root, time line, blank line and one em-dash signature line', () => {
    const note = signCheckpoint(input, key.privateKey);
    const lines = note.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      ORIGIN,
      '20852163',
      root.toString('base64'),
      'time 2026-03-01T02:03:04.005Z',
      '',
    ]);
    expect(lines[5]).toMatch(new RegExp(`^\u2014 ${ORIGIN} [A-Za-z0-9+/]+=*$`));
    expect(lines[6]).toBe('');
    // The signature starts with the key id: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ pubkey)[:4].
    const sig = Buffer.from((lines[5] as string).split(' ')[2] as string, 'base64');
    expect(sig.length).toBe(4 + 64);
    const pub = Buffer.from(keyParts(key.publicKey)[2], 'base64').subarray(1);
    const id = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${ORIGIN}\n`), Buffer.from([1]), pub]))
      .digest()
      .subarray(0, 4);
    expect(sig.subarray(0, 4).toString('hex')).toBe(id.toString('hex'));
    expect(key.keyId).toBe(id.toString('hex'));
  });

  it('verifies with the public key and gives the checkpoint back', () => {
    const verdict = verifyCheckpoint(signCheckpoint(input, key.privateKey), key.publicKey);
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.checkpoint.size).toBe(20852163);
    expect(verdict.checkpoint.rootHash.equals(root)).toBe(true);
    expect(verdict.checkpoint.time).toBe(input.time);
    expect(verdict.checkpoint.origin).toBe(ORIGIN);
  });

  it('says "bad-signature" when the text was altered after signing', () => {
    const note = signCheckpoint(input, key.privateKey).replace('\n20852163\n', '\n20852164\n');
    expect(verifyCheckpoint(note, key.publicKey)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('says "bad-signature" when the signature bytes were altered', () => {
    const note = signCheckpoint(input, key.privateKey);
    const [head, sigLine] = [
      note.slice(0, note.lastIndexOf('\u2014')),
      note.slice(note.lastIndexOf('\u2014')),
    ];
    const sig = Buffer.from(sigLine.trim().split(' ')[2] as string, 'base64');
    sig[10] = (sig[10] as number) ^ 1;
    const forged = `${head}\u2014 ${ORIGIN} ${sig.toString('base64')}\n`;
    expect(verifyCheckpoint(forged, key.publicKey)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('says "wrong-key" when signed by another key of the same name (a forger without the key)', () => {
    const forger = generateSigningKey(ORIGIN);
    const note = signCheckpoint(input, forger.privateKey);
    expect(verifyCheckpoint(note, key.publicKey)).toMatchObject({ ok: false, reason: 'wrong-key' });
  });

  it('ignores signatures from unknown keys next to a valid one (witness cosignatures)', () => {
    const note = signCheckpoint(input, key.privateKey);
    const witness = generateSigningKey('witness.example');
    const cosigned = signCheckpoint(input, witness.privateKey);
    const witnessLine = cosigned.slice(cosigned.lastIndexOf('\u2014'));
    expect(verifyCheckpoint(note + witnessLine, key.publicKey).ok).toBe(true);
  });

  it('says "malformed" for text that is not a signed checkpoint, and for a checkpoint without time', () => {
    expect(verifyCheckpoint('hello\n', key.publicKey)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
    expect(() => parseCheckpoint('hello\n')).toThrow(RangeError);
    // A correctly signed note whose text lacks the time line.
    const note = signNote(
      `${ORIGIN}\n5\n${root.toString('base64')}\n`,
      parseSigningKey(key.privateKey),
    );
    expect(verifyCheckpoint(note, key.publicKey)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('says "wrong-origin" when the key signed a checkpoint of another log than expected', () => {
    const note = signCheckpoint(input, key.privateKey);
    expect(verifyCheckpoint(note, key.publicKey, { origin: 'other.example/log' })).toMatchObject({
      ok: false,
      reason: 'wrong-origin',
    });
  });

  it('parses without verifying, so a failing checkpoint can still be shown', () => {
    const forger = generateSigningKey(ORIGIN);
    expect(parseCheckpoint(signCheckpoint(input, forger.privateKey)).size).toBe(20852163);
  });

  it('rejects a public key whose id does not match its key data', () => {
    const other = generateSigningKey(ORIGIN);
    const [name, , data] = keyParts(key.publicKey);
    const tampered = `${name}+${other.keyId}+${data}`;
    expect(() => parseVerifierKey(tampered)).toThrow(/key id does not match/);
  });

  it('round-trips keys whose base64 data contains "+" or "/"', () => {
    const keys = Array.from({ length: 24 }, () => generateSigningKey(ORIGIN));
    expect(keys.some((k) => keyParts(k.publicKey)[2].includes('+'))).toBe(true);
    for (const k of keys) {
      expect(verifyCheckpoint(signCheckpoint(input, k.privateKey), k.publicKey).ok).toBe(true);
    }
  });
});
