export { runCli, type CliIo } from './cli.js';
