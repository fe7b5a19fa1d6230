import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';

/**
 * The open unit of work, if any (`transaction(work)`). Its SQLite transaction is
 * on the one writer connection, so an append from elsewhere in the process
 * (another request) would silently join it and be rolled back with it: such
 * appends wait until the unit of work ends. AsyncLocalStorage tells the work's
 * own calls apart.
 */
export class UnitOfWork {
  readonly #scope = new AsyncLocalStorage<symbol>();
  #open: { readonly token: symbol; readonly done: Promise<void> } | undefined;

  constructor(
    private readonly db: Database.Database,
    /** Called when a unit of work ends, committed or not (wakes subscriptions). */
    private readonly ended: () => void,
  ) {}

  /** Whether the caller runs inside the open unit of work. */
  inside(): boolean {
    return this.#open !== undefined && this.#scope.getStore() === this.#open.token;
  }

  /** Resolves once no unit of work is open, unless the caller is inside it. */
  async waitOutside(): Promise<void> {
    while (this.#open !== undefined && this.#scope.getStore() !== this.#open.token)
      await this.#open.done;
  }

  /** Runs `work` in one SQLite transaction: every append made inside commits together, or none. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.inside()) throw new Error('a unit of work is already open on this store');
    await this.waitOutside();
    const token = Symbol('unit of work');
    let finished = (): void => undefined;
    this.#open = { token, done: new Promise<void>((resolve) => (finished = resolve)) };
    try {
      this.db.exec('BEGIN IMMEDIATE');
      const result = await this.#scope.run(token, work);
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    } finally {
      this.#open = undefined;
      finished();
      this.ended();
    }
  }
}
