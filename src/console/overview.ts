import { listRuns } from '../backfill/progress.js';
import type { CollectionProgress, RunProgress } from '../backfill/types.js';
import { cutoverGates, cutoverPolicyOf, type CutoverPolicy, type Gate } from '../modes/gates/index.js';
import { isCollectionMode, nextMode, type CollectionMode } from '../modes/machine.js';
import { collectionStatuses, type CollectionStatus } from '../status/collections.js';
import { summarizeGaps } from '../status/gaps.js';
import { shadowReadSummary, type ShadowReadSummary } from '../verify/shadow/index.js';
import type { WorkerDeps } from '../workers/deps.js';

/** A collection's part of the newest backfill run that included it, with its rate and what is left. */
export interface BackfillView extends CollectionProgress {
  runId: string;
  runStatus: RunProgress['status'];
  /** chunksDone / chunksPlanned, null before the collection was planned. */
  fraction: number | null;
  /** Documents read per second since the collection started copying (until it finished). */
  docsPerSecond: number | null;
  /** Seconds left at that rate for the source's remaining documents; 0 once finished, null when unknown. */
  etaSeconds: number | null;
}

export interface ShadowView extends ShadowReadSummary {
  windowMs: number;
  /** mismatched / compared over the window, null with no compared read. */
  rate: number | null;
}

/** One row of the console: `status --json`'s fields plus what the cutover decision needs. */
export interface CollectionOverview extends CollectionStatus {
  gapsDead: number;
  /** The next forward move and its gates (the same provider `PUT …/mode` consults), null at the end. */
  next: { mode: CollectionMode; gates: readonly Gate[] } | null;
  /** The modes a back move may go to (never gated). */
  back: CollectionMode[];
  shadow: ShadowView;
  backfill: BackfillView | null;
}

export interface ConsoleOverview {
  at: Date;
  policy: CutoverPolicy;
  /** The newest backfill run, whatever it covered. */
  latestRun: {
    runId: string;
    status: RunProgress['status'];
    createdAt: Date;
    finishedAt: Date | null;
  } | null;
  collections: CollectionOverview[];
}

const MODES_IN_ORDER: readonly CollectionMode[] = ['mongo', 'dual', 'pg', 'decommissioned'];

function backfillView(
  run: RunProgress,
  progress: CollectionProgress,
  source: number,
  at: Date,
): BackfillView {
  const fraction = progress.chunksPlanned > 0 ? progress.chunksDone / progress.chunksPlanned : null;
  const started = progress.startedAt?.getTime() ?? null;
  const ended = (progress.finishedAt ?? at).getTime();
  const seconds = started === null ? 0 : (ended - started) / 1000;
  const docsPerSecond = seconds > 0 ? progress.docsRead / seconds : null;
  const finished = progress.finishedAt !== null || progress.status === 'completed';
  const remaining = Math.max(source - progress.docsRead, 0);
  const etaSeconds = finished ? 0 : docsPerSecond ? remaining / docsPerSecond : null;
  return {
    ...progress,
    runId: run.runId,
    runStatus: run.status,
    fraction,
    docsPerSecond,
    etaSeconds,
  };
}

/**
 * Everything the console's table shows, read through the functions the CLI and the API use
 * (`collectionStatuses`, `cutoverGates`, `shadowReadSummary`, `listRuns`): the page adds no rule of its own.
 */
export async function consoleOverview(deps: WorkerDeps): Promise<ConsoleOverview> {
  const policy = cutoverPolicyOf(deps.config);
  const gates = cutoverGates(deps.db, policy);
  const [statuses, runs, gapSummary] = await Promise.all([
    collectionStatuses(deps),
    listRuns(deps.db, 20),
    summarizeGaps(deps.db),
  ]);
  const at = new Date();
  const collections = await Promise.all(
    statuses.map(async (status): Promise<CollectionOverview> => {
      const mode: CollectionMode = isCollectionMode(status.mode) ? status.mode : 'mongo';
      const to = nextMode(mode);
      const [next, shadow] = await Promise.all([
        to === null ? null : gates(status.name, mode, to).then((g) => ({ mode: to, gates: g })),
        shadowReadSummary(deps.db, status.name, policy.shadowWindowMs),
      ]);
      const run = runs.find((r) => r.collections.some((c) => c.name === status.name));
      const progress = run?.collections.find((c) => c.name === status.name);
      return {
        ...status,
        gapsDead: gapSummary.byCollection
          .filter((g) => g.collection === status.name)
          .reduce((sum, g) => sum + g.dead, 0),
        next,
        back: MODES_IN_ORDER.slice(0, MODES_IN_ORDER.indexOf(mode)),
        shadow: {
          ...shadow,
          windowMs: policy.shadowWindowMs,
          rate: shadow.compared > 0 ? shadow.mismatched / shadow.compared : null,
        },
        backfill: run && progress ? backfillView(run, progress, status.source, at) : null,
      };
    }),
  );
  const latest = runs[0];
  return {
    at,
    policy,
    latestRun: latest
      ? {
          runId: latest.runId,
          status: latest.status,
          createdAt: latest.createdAt,
          finishedAt: latest.finishedAt,
        }
      : null,
    collections,
  };
}
