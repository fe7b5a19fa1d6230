/**
 * The embedded projection, without the JetStream pipeline: catch-up from the
 * store, parallel replay and the blue-green rebuild. What the `nhagiao` query
 * commands import, so that loading them does not load the NATS client.
 */
export {
  BatchRefusedError,
  LedgerApplier,
  LEDGER_PROJECTION,
  type LedgerApplierOptions,
} from './ledger-applier.js';
export { catchUpFromStore, logPages, type CatchUpOptions, type CatchUpResult } from './catch-up.js';
export {
  replayInParallel,
  prepareParallelReplay,
  digestInWorker,
  parallelWorkers,
  DEFAULT_MIN_PARALLEL_EVENTS,
  type ParallelOptions,
  type ParallelReplayOptions,
} from './parallel-replay.js';
export {
  replayByTeacher,
  canReplayByTeacher,
  type TeacherReplayOptions,
} from './teacher-replay.js';
export {
  rebuildReadModel,
  nextVersion,
  type ReadModelFactory,
  type RebuildOptions,
  type RebuildResult,
} from './rebuild.js';
