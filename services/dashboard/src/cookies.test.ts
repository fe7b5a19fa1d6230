import { cookieValue, sessionCookie } from './cookies.js';

describe('cookies', () => {
  it('finds one cookie among others, quoted or not', () => {
    expect(cookieValue('a=1; nhagiao_session=abc; b=2', 'nhagiao_session')).toBe('abc');
    expect(cookieValue('nhagiao_session="q"', 'nhagiao_session')).toBe('q');
    expect(cookieValue('x_nhagiao_session=abc', 'nhagiao_session')).toBeUndefined();
    expect(cookieValue(undefined, 'nhagiao_session')).toBeUndefined();
  });

  it('sets a cookie scripts cannot read and other sites cannot send', () => {
    expect(sessionCookie('s', 'v', { maxAgeSeconds: 60, secure: false })).toBe(
      's=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60',
    );
    expect(sessionCookie('s', '', { maxAgeSeconds: 0, secure: true })).toBe(
      's=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure',
    );
  });
});
