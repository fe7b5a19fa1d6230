export { startEsdbDouble, type EsdbDouble, type EsdbDoubleOptions } from './server.js';
export { startEsdbCluster, type EsdbCluster, type EsdbClusterOptions } from './cluster.js';
export type { LoggedEvent } from './log.js';
export * from './tls.js';
export { rawReadAll } from './raw.js';
