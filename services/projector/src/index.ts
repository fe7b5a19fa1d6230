export * from './embedded.js';
export {
  runProjector,
  projectorLeaseKey,
  streamCursorName,
  type ProjectorFlush,
  type ProjectorOptions,
  type ProjectorResult,
} from './projector.js';
export {
  projectorStatus,
  expectedLedgerRows,
  formatStatus,
  statusProblems,
  type StatusThresholds,
  type ConsumerStatus,
  type PipelineStatus,
  type ReadModelStatus,
  type StatusOptions,
} from './status.js';
export {
  projectCommand,
  statusCommand,
  defaultDurableName,
  type ProjectCommandOptions,
  type StatusCommandOptions,
} from './command.js';
