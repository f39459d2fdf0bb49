import { readFileSync } from 'node:fs';

export interface ProcessMemory {
  /** Resident set now, MB. */
  rssMb: number;
  /** Peak resident set since start (the kernel's high-water mark), MB. */
  hwmMb: number;
}

const kbField = (status: string, field: string): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) / 1024 : 0;
};

/** Reads /proc/<pid>/status; null once the process is gone (or off Linux). */
export function readProcessMemory(pid: number): ProcessMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssMb: kbField(status, 'VmRSS'), hwmMb: kbField(status, 'VmHWM') };
  } catch {
    return null;
  }
}
