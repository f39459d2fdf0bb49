/** What a gate reads through: a pg Pool or client. Gates only read. */
export interface GateQueryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** Seconds, rounded for a gate value a person reads. */
export const seconds = (ms: number): number => Math.round(ms / 1000);
