import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataset } from '@nhagiao/dataset';
import { openSqliteEventStore } from '@nhagiao/eventstore';
import { arrayItems, createIngestor } from '@nhagiao/ingest';

describe('the demo dataset', () => {
  it('is accepted whole by the deciders (no event of it is rejected)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nhagiao-dataset-'));
    const store = openSqliteEventStore(path.join(dir, 'events.sqlite'));
    try {
      const events = [...generateDataset({ teachers: 4000, seed: 11 })];
      const rejected: string[] = [];
      const report = await createIngestor({ store }).ingest(arrayItems(events), {
        source: 'dataset',
        mode: 'partial',
        keepOutcomes: false,
        onOutcome: (o) => {
          if (o.status === 'rejected') rejected.push(`${o.line}: ${o.message}`);
        },
      });
      expect(rejected).toEqual([]);
      expect(report.appended).toBe(events.length);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
