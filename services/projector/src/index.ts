export { LedgerApplier, LEDGER_PROJECTION, type LedgerApplierOptions } from './ledger-applier.js';
export { catchUpFromStore, logPages, type CatchUpOptions, type CatchUpResult } from './catch-up.js';
export {
  replayInParallel,
  prepareParallelReplay,
  parallelWorkers,
  DEFAULT_MIN_PARALLEL_EVENTS,
  type ParallelOptions,
  type ParallelReplayOptions,
} from './parallel-replay.js';
export {
  consumeInOrder,
  type OrderedBatchHandler,
  type OrderedConsumeOptions,
} from './ordered-consumer.js';
export {
  runProjector,
  type ProjectorFlush,
  type ProjectorOptions,
  type ProjectorResult,
} from './projector.js';
export {
  projectorStatus,
  formatStatus,
  type ConsumerStatus,
  type PipelineStatus,
  type ReadModelStatus,
  type StatusOptions,
} from './status.js';
export {
  rebuildReadModel,
  nextVersion,
  type ReadModelFactory,
  type RebuildOptions,
  type RebuildResult,
} from './rebuild.js';
export {
  projectCommand,
  statusCommand,
  defaultDurableName,
  type ProjectCommandOptions,
  type StatusCommandOptions,
} from './command.js';
