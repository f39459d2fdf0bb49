/**
 * A plain aligned text table for terminals: numbers right-aligned, everything else left-aligned,
 * two spaces between columns. No colours, so the output reads the same in a log file.
 */
export type Cell = string | number | null | undefined;

export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = (cell: Cell) => (cell === null || cell === undefined ? '-' : String(cell));
  const widths = headers.map((header, col) =>
    Math.max(header.length, ...rows.map((row) => text(row[col]).length)),
  );
  const numeric = headers.map(
    (_, col) => rows.length > 0 && rows.every((row) => typeof row[col] === 'number'),
  );
  const line = (cells: readonly Cell[]) =>
    widths
      .map((width, col) => (numeric[col] ? text(cells[col]).padStart(width) : text(cells[col]).padEnd(width)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
