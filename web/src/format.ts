/** How times, durations and numbers read on every page. */

const dateTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const tableTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const timeWithSeconds = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });

export function formatTime(value: string | number | undefined | null): string {
  if (value === undefined || value === null || value === '') return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateTime.format(date);
}

/** A compact time for table rows (the year and seconds' fractions are in the details). */
export function formatRowTime(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : tableTime.format(date);
}

/** An axis label: with seconds for spans under an hour, the time of day within a day, else day and time. */
export function formatAxisTime(ms: number, spanMs: number): string {
  if (spanMs <= 3_600_000) return timeWithSeconds.format(ms);
  return spanMs <= 86_400_000 ? timeOnly.format(ms) : dayAndTime.format(ms);
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  return `${Math.round(hours / 24)}d`;
}

export function formatAgo(value: string | number | undefined | null, now = Date.now()): string {
  if (value === undefined || value === null) return '—';
  const ms = now - new Date(value).getTime();
  if (Number.isNaN(ms)) return '—';
  return ms < 0 ? `in ${formatDuration(-ms)}` : `${formatDuration(ms)} ago`;
}

const integer = new Intl.NumberFormat();
export function formatCount(value: number | undefined | null): string {
  return value === undefined || value === null ? '—' : integer.format(value);
}

/** A value as the query language wants it: bare when it is a plain word or number, else quoted. */
export function queryValue(value: string | number): string {
  const text = String(value);
  if (/^[\w.:@/-]+$/.test(text) && !/^(and|or|not|exists)$/i.test(text)) return text;
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** Reads a dotted path (`user.name`) out of a nested event document. */
export function pathValue(document: Record<string, unknown>, path: string): unknown {
  if (path in document) return document[path];
  let node: unknown = document;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
