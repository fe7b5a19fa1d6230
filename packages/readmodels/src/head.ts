import type { Kysely } from 'kysely';
import { big } from './rows.js';
import type { Database } from './schema.js';

/**
 * What a cache of the read model checks before it answers: the tables' epoch
 * (new whenever they are recreated) and the last positions of the ledger's
 * changes and of the unit events. One statement answers "nothing changed".
 */
export interface Head {
  readonly epoch: string | null;
  readonly ledgerMax: bigint | null;
  readonly unitMax: bigint | null;
}

export const readHead = async (db: Kysely<Database>): Promise<Head> => {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('meta').select('value').where('key', '=', 'epoch').as('epoch'),
      eb
        .selectFrom('ledger_changes')
        .select((e) => e.fn.max('position').as('m'))
        .as('ledger_max'),
      eb
        .selectFrom('unit_events')
        .select((e) => e.fn.max('position').as('m'))
        .as('unit_max'),
    ])
    .executeTakeFirstOrThrow();
  return {
    epoch: row.epoch ?? null,
    ledgerMax: row.ledger_max == null ? null : big(row.ledger_max),
    unitMax: row.unit_max == null ? null : big(row.unit_max),
  };
};
