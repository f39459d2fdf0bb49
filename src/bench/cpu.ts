import { readFileSync } from 'node:fs';

// USER_HZ: the unit of /proc CPU times; 100 on every mainstream Linux architecture.
const TICKS_PER_SECOND = 100;

/** What the bench reads from one /proc/PID/stat line. */
export interface ProcStat {
  /** The command name (`comm`, field 2, without its parentheses): `postgres` for every Postgres process. */
  comm: string;
  /** user + system CPU seconds of the process itself (utime + stime, fields 14 and 15). */
  cpuSeconds: number;
  /**
   * user + system CPU seconds of its children that exited and were waited for (cutime + cstime, fields
   * 16 and 17): where a process's CPU goes when it exits, so a sum over a process tree stays whole.
   */
  reapedChildrenCpuSeconds: number;
}

/** Parses one /proc/PID/stat line. */
export function parseProcStat(stat: string): ProcStat {
  // Fields after the command name (which may contain spaces or parentheses) start at its closing parenthesis.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // Fields 14 to 17 of the whole line are 12 to 15 after "(comm) ".
  return {
    comm: stat.slice(stat.indexOf('(') + 1, close),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    reapedChildrenCpuSeconds: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
  };
}

/** /proc/PID/stat of a process, parsed; null once it is gone (or off Linux). */
export function readProcStat(pid: number | string): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** user + system CPU seconds a process has used so far; null once it is gone. */
export function readProcessCpuSeconds(pid: number): number | null {
  return readProcStat(pid)?.cpuSeconds ?? null;
}

/** CPU seconds the whole machine spent not idle (all cores), from /proc/stat; null off Linux. */
export function readMachineBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...values] = line.trim().split(/\s+/);
    const ticks = values.map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0); // without guest (already in user)
    return (total - idle) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
