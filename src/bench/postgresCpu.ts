import { readdirSync } from 'node:fs';
import { readProcStat } from './cpu.js';

/** Postgres CPU seconds per 1,000 rows written; null where /proc could not tell. */
export interface PostgresCpuPer1000Rows {
  backfill: number | null;
  copy: number | null;
  /** backfill ÷ copy: how many times more Postgres CPU a migrated row costs than a COPYed one. */
  ratio: number | null;
}

/**
 * CPU seconds used so far by every process on this machine whose command name is `postgres`: the
 * postmaster, every backend (ours, the workers', anyone else's) and the background processes (writers,
 * checkpointer, WAL writer, autovacuum), so a delta is the whole server's cost of what ran in between.
 * It assumes a bench machine otherwise quiet: other databases' traffic counts too.
 *
 * Each process counts its own utime + stime and also cutime + cstime, the CPU of its children that
 * exited: the postmaster reaps every backend, so a backend that disconnects between two readings (a
 * pool closing an idle connection) moves its CPU into the postmaster's rather than out of the sum.
 * Null off Linux, or when no Postgres process is visible here (a server on another host or in a
 * container of its own).
 */
export function readPostgresCpuSeconds(): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  let seen = false;
  let seconds = 0;
  for (const pid of pids) {
    const stat = readProcStat(pid); // null: it exited since the listing (its CPU is now its parent's)
    if (stat?.comm !== 'postgres') continue;
    seen = true;
    seconds += stat.cpuSeconds + stat.reapedChildrenCpuSeconds;
  }
  return seen ? seconds : null;
}

/**
 * CPU seconds of one backend (from `SELECT pg_backend_pid()`), while its connection is open; null when
 * that pid is not a Postgres process here (the server runs elsewhere, or in its own pid namespace).
 */
export function readBackendCpuSeconds(pid: number): number | null {
  const stat = readProcStat(pid);
  return stat?.comm === 'postgres' ? stat.cpuSeconds : null;
}

/** The difference of two readings, null when either is. */
export function cpuDelta(before: number | null, after: number | null): number | null {
  return before === null || after === null ? null : after - before;
}

export function postgresCpuPer1000Rows(
  backfill: { cpuSeconds: number | null; rows: number },
  copy: { cpuSeconds: number | null; rows: number },
): PostgresCpuPer1000Rows {
  const per1000 = ({ cpuSeconds, rows }: { cpuSeconds: number | null; rows: number }) =>
    cpuSeconds === null || rows <= 0 ? null : (cpuSeconds / rows) * 1000;
  const b = per1000(backfill);
  const c = per1000(copy);
  return { backfill: b, copy: c, ratio: b === null || c === null || c <= 0 ? null : b / c };
}
