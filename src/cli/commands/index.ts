import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerBackfill } from './backfill.js';
import { registerBench } from './bench.js';
import { registerBoard } from './board.js';
import { registerDb } from './db.js';
import { registerDemo } from './demo.js';
import { registerGaps } from './gaps.js';
import { registerMode } from './mode.js';
import { registerMongoEmbedded } from './mongoEmbedded.js';
import { registerRejects } from './rejects.js';
import { registerSeed } from './seed.js';
import { registerStatus } from './status.js';
import { registerTraffic } from './traffic.js';
import { registerVerify } from './verify.js';
import { registerSweep } from './sweep.js';
import { registerWorker } from './worker.js';

/** Every command of DESIGN.md's contract, in the order `--help` lists them. */
export function registerCommands(program: Command): void {
  registerDb(program);
  registerWorker(program);
  registerBoard(program);
  registerBackfill(program);
  registerStatus(program);
  registerRejects(program);
  registerGaps(program);
  registerSweep(program);
  registerAudit(program);
  registerMode(program);
  registerTraffic(program);
  registerVerify(program);
  registerDemo(program);
  registerSeed(program);
  registerMongoEmbedded(program);
  registerBench(program);
}
