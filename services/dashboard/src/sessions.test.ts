import { createSessionStore } from './sessions.js';

describe('session store', () => {
  it('forgets a session when its lifetime is over, and ids are unguessable', () => {
    let now = 1_000;
    const store = createSessionStore({ ttlMs: 500, now: () => now });
    const a = store.open('secret-a');
    const b = store.open('secret-b');
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.get(a.id)?.secret).toBe('secret-a');
    now = 1_499;
    expect(store.get(a.id)?.secret).toBe('secret-a');
    now = 1_500;
    expect(store.get(a.id)).toBeUndefined();
    expect(store.size()).toBe(0);
  });

  it('closes one session without touching the others', () => {
    const store = createSessionStore();
    const a = store.open('k');
    const b = store.open('k');
    store.close(a.id);
    expect(store.get(a.id)).toBeUndefined();
    expect(store.get(b.id)?.secret).toBe('k');
  });
});
