import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openKeyStore } from './key-store.js';

describe('openKeyStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies a created key by its secret, and keeps only a hash of it', () => {
    const file = path.join(dir, 'keys.sqlite');
    const keys = openKeyStore(file);
    const { id, secret } = keys.create({
      role: 'integrator',
      units: ['ttgdnn-ba-be'],
      label: 'HR',
    });
    expect(keys.verify(secret)).toMatchObject({
      id,
      role: 'integrator',
      units: ['ttgdnn-ba-be'],
      label: 'HR',
    });
    expect(keys.verify(`${secret}x`)).toBeUndefined();
    keys.close();
    // A copy of the key file must not give the secret away.
    expect(readFileSync(file).includes(Buffer.from(secret))).toBe(false);
    expect(openKeyStore(file).verify(secret)?.id).toBe(id);
  });

  it('refuses a revoked key and lists it as revoked', () => {
    const keys = openKeyStore(path.join(dir, 'keys.sqlite'));
    const { id, secret } = keys.create({ role: 'reporter' });
    expect(keys.revoke(id)).toBe(true);
    expect(keys.revoke(id)).toBe(false);
    expect(keys.verify(secret)).toBeUndefined();
    expect(keys.list().find((k) => k.id === id)?.revokedAt).not.toBeNull();
    keys.close();
  });

  it('refuses an integrator key without units and a unit that is not an id', () => {
    const keys = openKeyStore(path.join(dir, 'keys.sqlite'));
    expect(() => keys.create({ role: 'integrator' })).toThrow(/at least one unit/);
    expect(() => keys.create({ role: 'integrator', units: ['a b'] })).toThrow(/not a unit id/);
    keys.close();
  });

  it('replays a remembered response until it expires', () => {
    const keys = openKeyStore(path.join(dir, 'keys.sqlite'));
    const now = new Date('2025-06-01T00:00:00Z');
    keys.rememberResponse(
      'k1',
      'retry-1',
      { requestHash: 'h', status: 200, body: '{}' },
      1000,
      now,
    );
    expect(keys.recallResponse('k1', 'retry-1', new Date(now.getTime() + 999))).toEqual({
      requestHash: 'h',
      status: 200,
      body: '{}',
    });
    expect(keys.recallResponse('k2', 'retry-1', now)).toBeUndefined();
    expect(keys.recallResponse('k1', 'retry-1', new Date(now.getTime() + 1000))).toBeUndefined();
    keys.close();
  });
});
