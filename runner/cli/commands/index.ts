/**
 * Every `hotbench` command, in the order `hotbench --help` lists them: the
 * one list main.ts registers and the generated CLI reference (docs/cli.md)
 * reads, so the documentation cannot name a command the CLI lacks.
 */
import type { CommandModule } from 'yargs';
import { blastCommand } from './blast.js';
import { capacityCommand } from './capacity.js';
import { compareCommand } from './compare.js';
import { exportCommand } from './export.js';
import { finalizeCommand } from './finalize.js';
import { historyCommand } from './history.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { runsCommand } from './runs.js';
import { scenariosCommand } from './scenarios.js';
import { serveCommand } from './serve.js';
import { strategiesCommand } from './strategies.js';
import { sweepCommand } from './sweep.js';

/** The commands, as yargs modules (each file's args type erased: main.ts only registers them). */
export const COMMANDS: readonly CommandModule[] = [
  runCommand,
  scenariosCommand,
  strategiesCommand,
  reportCommand,
  runsCommand,
  serveCommand,
  blastCommand,
  compareCommand,
  capacityCommand,
  exportCommand,
  historyCommand,
  finalizeCommand,
  sweepCommand,
] as unknown as readonly CommandModule[];
