import type { IndicatorDefinition } from '@nhagiao/domain';
import type { EventStore } from '@nhagiao/eventstore';
import { type ReplayResult, type ReplayTarget, runReplay } from './catch-up.js';
import type { ReplayPlan } from './replay-plan.js';

export interface VerifyReplayOptions {
  readonly store: EventStore;
  /** A fresh read model, compared and thrown away. */
  readonly readModel: ReplayTarget;
  readonly indicators: readonly IndicatorDefinition[];
  /** The last position replayed: the head the rest of the verification covers. */
  readonly until: bigint;
  /**
   * `planReplay` with `until` and the same read model; or position order with
   * an `onEvent` that sees every event in log order (the Merkle tree hashed
   * on the same pass).
   */
  readonly plan: ReplayPlan;
  readonly batchSize?: number;
  readonly onProgress?: (done: number, position: bigint) => void;
  readonly signal?: AbortSignal;
}

/**
 * Replays the log up to `until` into a fresh read model that is only compared
 * and thrown away: no teacher's or programme's state is written (nothing can
 * be projected into it afterwards), and the ledger's index is left out, for
 * the caller to build (`buildIndexes()`) only if it queries the ledger by key.
 */
export const replayForVerify = (options: VerifyReplayOptions): Promise<ReplayResult> =>
  runReplay(options.plan, { ...options, states: 'none', buildIndexes: false });
