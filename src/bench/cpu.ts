import { readFileSync } from 'node:fs';

// USER_HZ: the unit of /proc CPU times; 100 on every mainstream Linux architecture.
const TICKS_PER_SECOND = 100;

/** user + system CPU seconds a process has used so far; null once it is gone. */
export function readProcessCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after "(comm) ".
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
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
