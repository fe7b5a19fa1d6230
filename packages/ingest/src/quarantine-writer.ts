import type { FieldIssue } from '@nhagiao/domain';
import type { QuarantineEntry, QuarantineStore } from './quarantine.js';
import type { InputItem } from './types.js';

/** Rejected items kept per write to the quarantine. */
const QUARANTINE_WRITE = 1000;

/**
 * One submission's writes to the quarantine: rejected items written as they
 * come, a thousand at a time, so a file of bad lines is not held in memory; and
 * the ids of earlier rejections accepted now, which leave the quarantine when
 * the submission commits.
 */
export class QuarantineWriter {
  readonly #store: QuarantineStore | undefined;
  readonly #base: Pick<QuarantineEntry, 'receivedAt' | 'source' | 'actorId'>;
  readonly #pending: QuarantineEntry[] = [];
  /** Ids rejected earlier and still quarantined. */
  readonly #quarantinedIds: ReadonlySet<string>;
  readonly #resolved: string[] = [];

  constructor(
    store: QuarantineStore | undefined,
    base: { readonly receivedAt: string; readonly source: string; readonly actorId?: string },
  ) {
    this.#store = store;
    this.#base = base;
    this.#quarantinedIds = store?.quarantinedIds() ?? new Set<string>();
  }

  /** Keeps a rejected item with why. */
  add(
    item: InputItem,
    id: string | undefined,
    code: string,
    message: string,
    issues: readonly FieldIssue[],
  ): void {
    if (this.#store === undefined) return;
    this.#pending.push({
      receivedAt: this.#base.receivedAt,
      source: this.#base.source,
      line: item.line,
      ...(this.#base.actorId === undefined ? {} : { actorId: this.#base.actorId }),
      ...(id === undefined ? {} : { eventId: id.toLowerCase() }),
      code,
      message,
      issues,
      item: item.value,
    });
    if (this.#pending.length >= QUARANTINE_WRITE) this.flush();
  }

  /** An event was accepted: if it had been quarantined, its entry goes at the commit. */
  accepted(id: string): void {
    if (this.#quarantinedIds.has(id)) this.#resolved.push(id);
  }

  /** Writes what is pending (also when the submission fails: rejections are never dropped). */
  flush(): void {
    this.#store?.add(this.#pending.splice(0));
  }

  /** The submission committed: the entries of events it accepted go. */
  resolve(): void {
    this.#store?.resolve(this.#resolved.splice(0));
  }
}
