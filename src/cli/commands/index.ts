import type { Command } from 'commander';
import { registerDb } from './db.js';
import { registerMongoEmbedded } from './mongoEmbedded.js';
import { registerWorker } from './worker.js';

/** Every command of DESIGN.md's contract, in the order `--help` lists them. */
export function registerCommands(program: Command): void {
  registerDb(program);
  registerWorker(program);
  registerMongoEmbedded(program);
}
