import { checkVersion, type Engine } from './engine.js';
import type { ReadModelAdmin } from './ports.js';
import type { ReadModelLocation } from './types.js';

/** The admin side on any engine: versions, their tables and the ledger's index. */
export class KyselyAdmin implements ReadModelAdmin {
  constructor(
    private readonly engine: Engine,
    readonly version: string,
    readonly location: ReadModelLocation,
    /** Told when this handle recreated the tables, so its caches let go at once. */
    private readonly onReset: () => void,
  ) {}

  async reset(options: { readonly deferIndexes?: boolean } = {}): Promise<void> {
    await this.engine.dropTables();
    await this.engine.ensureTables();
    if (options.deferIndexes === true) await this.engine.setIndexes(false);
    this.onReset();
  }

  async deferIndexes(): Promise<void> {
    await this.engine.setIndexes(false);
  }

  async buildIndexes(): Promise<void> {
    await this.engine.setIndexes(true);
  }

  async instanceId(): Promise<string> {
    const row = await this.engine.db
      .selectFrom('meta')
      .select('value')
      .where('key', '=', 'epoch')
      .executeTakeFirst();
    return `${this.version}.${row?.value ?? 'none'}`;
  }

  async activate(version: string): Promise<void> {
    await this.engine.setActive(checkVersion(version));
  }

  async activeVersion(): Promise<string | null> {
    return this.engine.getActive();
  }
}
