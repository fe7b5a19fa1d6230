import { join } from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import { type Envelope, bacKan423of2024 } from '@nhagiao/domain';
import { type EventStore, openSqliteEventStore } from '@nhagiao/eventstore';
import { arrayItems, createIngestor } from '@nhagiao/ingest';
import { catchUp } from '@nhagiao/projector';
import { type ReadModelStore, openSqliteReadModel } from '@nhagiao/readmodels';

export const indicators = bacKan423of2024.indicators;
const DATES = ['2024-06-30', '2025-08-25', '2025-12-31', '2030-12-31'];
const SCOPES = ['province', 'unit', 'area', 'kind'] as const;

/** The demo dataset's envelopes, in the order the deciders accept them. */
export const datasetEnvelopes = (teachers = 150, seed = 423): Envelope[] => [
  ...generateDataset({ teachers, seed }),
];

/** Appends envelopes through the ingestor (the deciders), as `nhagiao import` does. */
export const ingestInto = async (
  store: EventStore,
  envelopes: readonly Envelope[],
): Promise<number> => {
  const report = await createIngestor({ store }).ingest(arrayItems(envelopes), {
    source: 'e2e',
    mode: 'partial',
    keepOutcomes: false,
  });
  return report.appended;
};

/**
 * Figures for several dates by every scope kind, known now and known at a
 * position in the middle of the log (late corrections show there), and the
 * digest: what two replays must agree on.
 */
export const snapshotOf = async (
  rm: ReadModelStore,
  knownAt: bigint,
): Promise<{ digest: string; figures: unknown[] }> => {
  const figures: unknown[] = [];
  for (const asOf of DATES)
    for (const by of SCOPES) {
      figures.push(await rm.figures({ indicators, asOf, by }));
      figures.push(await rm.figures({ indicators, asOf, by, knownAt }));
    }
  return { digest: await rm.digest(), figures };
};

/** The embedded path: the store read directly into a SQLite read model. */
export const embeddedSnapshot = async (
  storePath: string,
  dir: string,
  knownAt: bigint,
): Promise<{ digest: string; figures: unknown[] }> => {
  const store = openSqliteEventStore(storePath, { readOnly: true });
  const rm = await openSqliteReadModel(join(dir, `embedded-${Date.now()}.sqlite`));
  try {
    await catchUp({ store, readModel: rm, indicators });
    return await snapshotOf(rm, knownAt);
  } finally {
    await rm.close();
    await store.close();
  }
};

export const waitFor = async (
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> => {
  const until = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
