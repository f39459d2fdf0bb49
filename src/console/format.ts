/** 42s, 5m, 3h 2m, 2d 4h: short enough for a table cell. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ${Math.floor((s % 3_600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h`;
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');

export function formatRate(rate: number | null): string {
  if (rate === null) return 'no reads';
  return `${(rate * 100).toFixed(rate === 0 ? 0 : 2)}%`;
}

/** A gate's measured value as text: `null` reads as "none". */
export function formatGateValue(value: string | number | boolean | null): string {
  if (value === null) return 'none';
  // Timestamps to the minute: the cell is narrow, and the gate's own refusal carries the exact instant.
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value))
    return value.slice(0, 16).replace('T', ' ');
  return String(value);
}
