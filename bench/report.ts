/** Formats benchmark results as aligned text tables for the terminal. */

export type Cell = string | number | undefined;

export function table(headers: string[], rows: Cell[][], rightAligned: boolean[]): string {
  const text = rows.map((row) => row.map((cell) => (cell === undefined ? '—' : String(cell))));
  const widths = headers.map((header, column) => Math.max(header.length, ...text.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (rightAligned[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...text.map(line)].join('\n');
}

export function fixed(value: number | undefined, digits: number): string | undefined {
  return value === undefined || !Number.isFinite(value) ? undefined : value.toFixed(digits);
}

/** Whole number with thousands separators: 1,234,567. */
export function grouped(value: number | undefined): string | undefined {
  return value === undefined || !Number.isFinite(value) ? undefined : Math.round(value).toLocaleString('en-US');
}
