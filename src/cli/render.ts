import { stringify as toYaml } from 'yaml';
import type { OutputFormat } from './options.js';

export interface Table {
  columns: readonly string[];
  rows: ReadonlyArray<readonly unknown[]>;
}

/** Prints documents in the machine formats, or a table for people; one place for every command. */
export function render(format: OutputFormat, documents: readonly unknown[], table: () => Table): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(documents, null, 2)}\n`;
    case 'ndjson':
      return documents.map((document) => `${JSON.stringify(document)}\n`).join('');
    case 'yaml':
      return toYaml(documents);
    case 'table':
      return renderTable(table());
  }
}

const MAX_CELL = 60;

export function renderTable({ columns, rows }: Table): string {
  const cells = rows.map((row) => row.map(cellText));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((row) => row[i].length)));
  const line = (values: readonly string[]) => values.map((value, i) => value.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns.map((column) => column.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const flat = text.replaceAll('\n', ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}
