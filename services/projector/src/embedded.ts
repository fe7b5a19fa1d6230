/**
 * The embedded projection, without the JetStream pipeline: catch-up from the
 * store, the replay plans (by teacher, in worker processes), verify's replay
 * and the blue-green rebuild. What the `nhagiao` query commands import, so
 * that loading them does not load the NATS client.
 */
export {
  BatchRefusedError,
  LedgerApplier,
  LEDGER_PROJECTION,
  type LedgerApplierOptions,
  type StateWrites,
} from './ledger-applier.js';
export {
  catchUp,
  logPages,
  type CatchUpOptions,
  type CatchUpResult,
  type ReplayResult,
  type ReplayTarget,
} from './catch-up.js';
export {
  planReplay,
  parallelWorkers,
  DEFAULT_MIN_PARALLEL_EVENTS,
  type ParallelOptions,
  type ReplayPlan,
  type ReplayRequest,
} from './replay-plan.js';
export { replayForVerify, type VerifyReplayOptions } from './verify-replay.js';
export {
  replayInParallel,
  prepareParallelReplay,
  digestInWorker,
  type ParallelReplayOptions,
} from './parallel-replay.js';
export { replayByTeacher, type TeacherReplayOptions } from './teacher-replay.js';
export {
  rebuild,
  nextVersion,
  type ReadModelFactory,
  type RebuildOptions,
  type RebuildResult,
} from './rebuild.js';
