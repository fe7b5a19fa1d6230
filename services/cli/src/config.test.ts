import path from 'node:path';
import { dataConfig } from './config.js';

describe('dataConfig', () => {
  it('defaults to SQLite files in the data dir, from the flag, then the environment, then ./.nhagiao', () => {
    expect(dataConfig({}, {})).toEqual({
      dataDir: path.resolve('.nhagiao'),
      store: { kind: 'sqlite', path: path.resolve('.nhagiao', 'events.sqlite') },
      readModel: { kind: 'sqlite', path: path.resolve('.nhagiao', 'readmodel.sqlite') },
    });
    expect(dataConfig({}, { NHAGIAO_DATA_DIR: '/srv/nhagiao' }).dataDir).toBe('/srv/nhagiao');
    expect(dataConfig({ 'data-dir': '/d' }, { NHAGIAO_DATA_DIR: '/srv/nhagiao' }).dataDir).toBe(
      '/d',
    );
  });

  it.each([
    ['esdb://es1:2113?tls=false', { kind: 'esdb', url: 'esdb://es1:2113?tls=false' }],
    [
      'esdb:esdb://es1:2113,es2:2113?tls=true',
      { kind: 'esdb', url: 'esdb://es1:2113,es2:2113?tls=true' },
    ],
    ['sqlite:/var/lib/e.sqlite', { kind: 'sqlite', path: '/var/lib/e.sqlite' }],
  ])('reads --store %s', (store, expected) => {
    expect(dataConfig({ store }, {}).store).toEqual(expected);
  });

  it.each([
    ['postgres://postgres@db/nhagiao', 'postgres://postgres@db/nhagiao'],
    ['postgres:postgresql://u@db/x', 'postgresql://u@db/x'],
  ])('reads --readmodel %s', (readmodel, url) => {
    expect(dataConfig({ readmodel }, {}).readModel).toEqual({ kind: 'postgres', url });
    expect(dataConfig({}, { NHAGIAO_READMODEL: readmodel }).readModel).toEqual({
      kind: 'postgres',
      url,
    });
  });

  it('refuses what it does not know, saying what it expects', () => {
    expect(() => dataConfig({ store: 'mysql://x' }, {})).toThrow(
      'expected sqlite:PATH or esdb://HOST:PORT',
    );
    expect(() => dataConfig({ readmodel: 'redis://x' }, {})).toThrow(
      'expected sqlite:PATH or postgres://',
    );
  });
});
