import type { BackfillMeasurement } from './backfillRun.js';
import type { StageName, StagesReport } from './result.js';
import type { StageRates } from './stages.js';

/** Orchestration is named as a bound when no chunk runs for this share of the run. */
const IDLE_NOTE_SHARE = 0.1;

const STAGE_WORDS: Record<StageName, string> = {
  read: 'source read (MongoDB range queries)',
  map: 'mapping (spec.map in the workers)',
  write: 'Postgres write path (resolve, upsert, children, id_map, commit)',
};

/**
 * Names what bounds the throughput: the chunk step with the largest share of a chunk's serial time
 * (an estimate: the steps overlap across concurrent chunks), and, when the CPU figures show it, the
 * resource that was saturated while the real run went on.
 */
export function stagesReport(
  rates: StageRates,
  chunkSize: number,
  run: Pick<BackfillMeasurement, 'cores' | 'phases' | 'seconds'>,
  coresAvailable: number,
): StagesReport {
  const { cores, phases } = run;
  const perDoc: Record<StageName, number> = {
    read: 1 / rates.readDocsPerSec,
    map: 1 / rates.mapDocsPerSec,
    // copyChunk maps as well; what is left after mapping is the write path.
    write: Math.max(0, 1 / rates.writeDocsPerSec - 1 / rates.mapDocsPerSec),
  };
  const total = perDoc.read + perDoc.map + perDoc.write;
  const shares = {
    read: perDoc.read / total,
    map: perDoc.map / total,
    write: perDoc.write / total,
  };
  const top = (Object.keys(shares) as StageName[]).reduce((a, b) => (shares[b] > shares[a] ? b : a));
  const notes = [
    `${STAGE_WORDS[top]}: ${(shares[top] * 100).toFixed(0)}% of a chunk's serial time (estimate)`,
  ];
  if (cores) {
    if (cores.machine >= 0.9 * coresAvailable)
      notes.push(
        `CPU-bound: ${cores.machine.toFixed(2)} of ${coresAvailable} cores busy during the backfill`,
      );
    if (cores.source >= 0.9)
      notes.push(
        `the source process used ${cores.source.toFixed(2)} cores (one event loop: its ceiling is ~1)`,
      );
  }
  // Time with no chunk running is orchestration: planning (with the other job slots idle), link passes,
  // promotion of dependants. Worth naming when it is a visible part of the run.
  if (phases.noChunkSeconds >= IDLE_NOTE_SHARE * run.seconds) {
    const [slowest, planning] = Object.entries(phases.planningSeconds).reduce((a, b) =>
      b[1] > a[1] ? b : a,
    );
    notes.push(
      `no chunk running for ${phases.noChunkSeconds.toFixed(1)} s (${((phases.noChunkSeconds / run.seconds) * 100).toFixed(0)}% of the run): ` +
        `planning (${slowest} ${planning.toFixed(1)} s to its first chunk; planRanges streams every _id), link passes, promotion`,
    );
  }
  return {
    collection: rates.collection,
    chunkSize,
    readDocs: rates.readDocs,
    readDocsPerSec: rates.readDocsPerSec,
    mapDocsPerSec: rates.mapDocsPerSec,
    writeDocs: rates.writeDocs,
    writeDocsPerSec: rates.writeDocsPerSec,
    workerCpuUsPerDoc: rates.workerCpuUsPerDoc,
    postgresCpuUsPerDoc: rates.postgresCpuUsPerDoc,
    shares,
    bound: notes.join('; '),
    cores,
    coresAvailable,
  };
}
