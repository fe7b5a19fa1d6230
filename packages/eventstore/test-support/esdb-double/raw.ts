import { EventStoreDBClient } from '@eventstore/db-client';

/**
 * The baseline a benchmark compares the adapter with: every record of `$all`
 * read with `@eventstore/db-client` alone, in one read, as a client that wants
 * it all would. Here, beside the double, so a bench outside this package need
 * not depend on the client.
 */
export const rawReadAll = async (url: string): Promise<{ records: number; ms: number }> => {
  const client = EventStoreDBClient.connectionString(url);
  try {
    const t = performance.now();
    let records = 0;
    for await (const r of client.readAll()) if (r.event) records += 1;
    return { records, ms: performance.now() - t };
  } finally {
    await client.dispose();
  }
};
