import { type Kysely, sql } from 'kysely';
import { num } from './rows.js';
import type { Database } from './schema.js';
import type { LedgerCheck } from './types.js';
import { readCheckpoint } from './writer.js';

/** The ledger's rows, the copies among them and those past the checkpoint of `projection`. */
export const checkLedger = async (
  db: Kysely<Database>,
  projection: string,
): Promise<LedgerCheck> => {
  const checkpoint = await readCheckpoint(db, projection);
  const counted = await db
    .selectFrom('ledger')
    .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'))
    .executeTakeFirstOrThrow();
  const copies = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('ledger')
        .select((e) => e.fn.countAll<string | number | bigint>().as('c'))
        .groupBy([
          'indicator',
          'unit_id',
          'valid_from',
          'position',
          'd_num',
          'd_den',
          'event_id',
          'teacher_id',
        ])
        .having((e) => e.fn.countAll(), '>', 1)
        .as('g'),
    )
    .select((eb) => eb.fn.sum<string | number | bigint | null>(sql`c - 1`).as('n'))
    .executeTakeFirstOrThrow();
  let beyond = db
    .selectFrom('ledger')
    .select((eb) => eb.fn.countAll<string | number | bigint>().as('n'));
  beyond = checkpoint === null ? beyond : beyond.where('position', '>', checkpoint);
  const past = await beyond.executeTakeFirstOrThrow();
  return {
    rows: num(counted.n),
    duplicateRows: num(copies.n),
    beyondCheckpoint: num(past.n),
  };
};
