import { describeEventStoreConformance } from '../../src/index.js';
import { openEsdbEventStore } from '../../src/esdb/index.js';
import { startEsdbDouble } from './index.js';

const realServer = process.env.EVENTSTORE_URL;

if (realServer) {
  describeEventStoreConformance(`EventStoreDB at ${realServer}`, async () => {
    const store = openEsdbEventStore(realServer);
    return { store, cleanup: () => store.close() };
  });
} else {
  describeEventStoreConformance(
    'EventStoreDB adapter over gRPC to the protocol double',
    async () => {
      const double = await startEsdbDouble();
      const store = openEsdbEventStore(double.url);
      return {
        store,
        cleanup: async () => {
          await store.close();
          await double.stop();
        },
      };
    },
  );
}
