import type { RecordedEvent } from '@nhagiao/domain';
import { canonicalJson } from './jcs.js';
import { hashLeaf, sha256 } from './hash.js';
import { encodeLeaf, eventLeafHash, leafFields, writeEventLeafHash } from './leaf.js';
import {
  type PersonalSalts,
  commitmentOf,
  newCommitment,
  withoutPersonalData,
} from './personal.js';

const event: RecordedEvent = {
  id: '0192f0c4-7d2a-7b1e-9c35-2f1d8a6b4e01',
  type: 'TeacherRegistered',
  data: { teacherId: 'cdbk-017', fullName: 'Hoàng Thị Lan', gender: 'female' },
  metadata: { source: 'hr.cdbk', correlationId: 'c-1' },
  stream: 'teacher-cdbk-017',
  revision: 0n,
  position: 12345678901234567890n,
  recordedAt: '2025-05-12T03:04:05.678Z',
};

describe('leaf encoding', () => {
  it('is the RFC 8785 canonical JSON of the committed fields, positions as decimal strings', () => {
    const leaf = encodeLeaf(event).toString('utf8');
    expect(leaf).toBe(canonicalJson(leafFields(event)));
    expect(JSON.parse(leaf)).toEqual({
      position: '12345678901234567890',
      stream: 'teacher-cdbk-017',
      revision: '0',
      eventId: event.id,
      type: 'TeacherRegistered',
      recordedAt: '2025-05-12T03:04:05.678Z',
      // Personal fields as salted commitments (no salt given here: the empty one).
      dataDigest: sha256(
        Buffer.from(
          `{"fullName":{"$salted":"${sha256(Buffer.from('"Hoàng Thị Lan"')).toString('hex')}"},` +
            `"gender":{"$salted":"${sha256(Buffer.from('"female"')).toString('hex')}"},"teacherId":"cdbk-017"}`,
        ),
      ).toString('hex'),
      metadataDigest: sha256(Buffer.from('{"correlationId":"c-1","source":"hr.cdbk"}')).toString(
        'hex',
      ),
    });
  });

  it('does not depend on the key order of data or metadata', () => {
    const reordered: RecordedEvent = {
      ...event,
      data: { gender: 'female', fullName: 'Hoàng Thị Lan', teacherId: 'cdbk-017' },
      metadata: { correlationId: 'c-1', source: 'hr.cdbk' },
    };
    expect(eventLeafHash(reordered).equals(eventLeafHash(event))).toBe(true);
  });

  it('changes when any committed field changes', () => {
    const base = eventLeafHash(event);
    const variants: RecordedEvent[] = [
      { ...event, position: event.position + 1n },
      { ...event, revision: 1n },
      { ...event, stream: 'teacher-cdbk-018' },
      { ...event, id: '0192f0c4-7d2a-7b1e-9c35-2f1d8a6b4e02' },
      { ...event, recordedAt: '2025-05-12T03:04:05.679Z' },
      { ...event, data: { teacherId: 'cdbk-017', fullName: 'Hoàng Thị Lành' } },
      { ...event, metadata: { source: 'hr.cdbk' } },
    ];
    for (const v of variants) expect(eventLeafHash(v).equals(base)).toBe(false);
    expect(eventLeafHash(event).equals(hashLeaf(encodeLeaf(event)))).toBe(true);
  });

  it("writes the same leaf hash into a caller's buffer, at its offset", () => {
    const target = Buffer.alloc(40, 0xff);
    writeEventLeafHash(event, target, 4);
    expect(target.subarray(4, 36).equals(eventLeafHash(event))).toBe(true);
    expect([...target.subarray(0, 4), ...target.subarray(36)]).toEqual(Array(8).fill(0xff));
  });

  it('gives the same digest for metadata met again, and another for other metadata', () => {
    const again = { ...event, metadata: { correlationId: 'c-1', source: 'hr.cdbk' } };
    const other = { ...event, metadata: { correlationId: 'c-2', source: 'hr.cdbk' } };
    expect(leafFields(again).metadataDigest).toBe(leafFields(event).metadataDigest);
    expect(leafFields(other).metadataDigest).toBe(
      sha256(Buffer.from('{"correlationId":"c-2","source":"hr.cdbk"}')).toString('hex'),
    );
  });

  it('escapes text exactly as JCS does', () => {
    const odd: RecordedEvent = { ...event, stream: 'teacher-"q"\\\u0001\u2028' };
    expect(encodeLeaf(odd).toString('utf8')).toBe(canonicalJson(leafFields(odd)));
    expect(eventLeafHash(odd).equals(hashLeaf(encodeLeaf(odd)))).toBe(true);
  });
});

describe('personal data in leaves', () => {
  const kept = newCommitment(event);
  if (kept === undefined) throw new Error('TeacherRegistered has personal fields');
  const salts: PersonalSalts = { get: (id) => (id === event.id ? kept : undefined) };

  it('commits to name, birth date, gender and ethnicity by a salted hash, never in clear', () => {
    expect(Object.keys(kept.commitments).sort()).toEqual(['fullName', 'gender']);
    expect(kept.salt).toHaveLength(16);
    expect(kept.commitments.fullName).toBe(commitmentOf(kept.salt as Buffer, 'Hoàng Thị Lan'));
    const leaf = encodeLeaf(event, salts).toString('utf8');
    expect(leaf).not.toContain('Hoàng');
    // A guess of the data, digested without the salt, does not match the leaf.
    const guessed = sha256(
      Buffer.from('{"fullName":"Hoàng Thị Lan","gender":"female","teacherId":"cdbk-017"}'),
    ).toString('hex');
    expect(leaf).not.toContain(guessed);
    expect(eventLeafHash(event, salts).equals(eventLeafHash(event))).toBe(false);
    // Another salt, another leaf: the commitment says nothing without the salt.
    const other = newCommitment(event);
    expect(eventLeafHash(event, { get: () => other }).equals(eventLeafHash(event, salts))).toBe(
      false,
    );
  });

  it('still changes when the name changes', () => {
    const renamed = {
      ...event,
      data: { ...event.data, fullName: 'Hoàng Thị Lành' },
    } as RecordedEvent;
    expect(eventLeafHash(renamed, salts).equals(eventLeafHash(event, salts))).toBe(false);
  });

  it('keeps the same leaf once the data and the salt are erased, from the commitments kept', () => {
    const before = eventLeafHash(event, salts);
    const erased = withoutPersonalData(event);
    expect(erased.data).toEqual({ teacherId: 'cdbk-017' });
    const afterErasure: PersonalSalts = {
      get: () => ({ salt: null, commitments: kept.commitments }),
    };
    expect(eventLeafHash(erased, afterErasure).equals(before)).toBe(true);
    // Without the commitments the erased event is another leaf: they are what is kept.
    expect(eventLeafHash(erased).equals(before)).toBe(false);
  });
});
