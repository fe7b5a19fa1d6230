export { startEsdbDouble } from './server.js';
export { startEsdbCluster } from './cluster.js';
export * from './tls.js';
export { rawReadAll } from './raw.js';
//# sourceMappingURL=index.js.map