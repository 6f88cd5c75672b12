const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a rule duration such as `30s`, `10m`, `1h` or `7d` into milliseconds.
 * A bare number is taken as seconds, as in Falco and Prometheus configuration.
 */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text > 0) return text * 1_000;
    throw new Error(`invalid duration ${text}: must be a positive number of seconds or a string like "10m"`);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) throw new Error(`invalid duration "${text}": write a number and a unit, e.g. "30s", "10m", "1h", "7d"`);
  const value = Number(match[1]) * UNIT_MS[match[2] ?? 's'];
  if (value <= 0) throw new Error(`invalid duration "${text}": must be greater than zero`);
  return value;
}

/** Renders milliseconds the way a rule author would write them (`10m`, `1h30m`, `2d3h`); whole seconds from a second up. */
export function formatDuration(ms: number): string {
  if (ms > 0 && ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  const parts: string[] = [];
  let rest = ms >= 1_000 ? Math.round(ms / 1_000) * 1_000 : ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return parts.join('');
}
