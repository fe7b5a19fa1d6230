import type { Command } from '../command.js';
import { demoCommand } from './demo.js';
import { explainCommand } from './explain.js';
import { historyCommand } from './history.js';
import { importCommand } from './import.js';
import { templateCommand } from './template.js';
import { indicatorsCommand } from './indicators.js';
import { auditCommand } from './audit.js';
import { reportCommand } from './report.js';
import { signingCommand } from './signing.js';
import { witnessCommand } from './witness.js';
import { exportCommand } from './export.js';
import { verifyCommand } from './verify.js';
import { keysCommand } from './keys.js';
import { projectCommandLine, rebuildCommandLine, statusCommandLine } from './pipeline.js';
import { relayCommandLine } from './relay.js';
import { serveCommand } from './serve.js';

/** Every command of `nhagiao`, in the order `--help` lists them. */
export const commands: readonly Command[] = [
  demoCommand,
  importCommand,
  templateCommand,
  indicatorsCommand,
  explainCommand,
  historyCommand,
  serveCommand,
  keysCommand,
  statusCommandLine,
  rebuildCommandLine,
  relayCommandLine,
  projectCommandLine,
  reportCommand,
  verifyCommand,
  auditCommand,
  signingCommand,
  witnessCommand,
  exportCommand,
];
