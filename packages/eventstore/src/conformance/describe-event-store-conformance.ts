import type { EventStore } from '../port.js';
import { appendCases } from './append-cases.js';
import type { ConformanceStore, StoreFactory } from './fixtures.js';
import { readCases } from './read-cases.js';
import { subscribeCases } from './subscribe-cases.js';

export type { ConformanceStore, StoreFactory } from './fixtures.js';

/**
 * Declares the behaviour every `EventStore` adapter must have, as jest
 * `describe`/`it` blocks; call it from an adapter's test file with a factory
 * that opens a store (and a cleanup that closes and removes it). The factory is
 * called once for the whole suite; every test writes streams of its own with a
 * random name and looks only at them, so the suite also runs against a shared
 * server whose log holds other events, with sparse positions.
 */
export const describeEventStoreConformance = (name: string, factory: StoreFactory): void => {
  describe(`EventStore conformance: ${name}`, () => {
    let opened: ConformanceStore | undefined;
    const store = (): EventStore => {
      if (opened === undefined) throw new Error('the store factory has not run');
      return opened.store;
    };
    beforeAll(async () => {
      opened = await factory();
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    appendCases(store);
    readCases(store);
    subscribeCases(store);
  });
};
