/**
 * Parses one logfmt line — the text format of Go's logrus, as the EKS authenticator writes it:
 * `time="2023-02-19T05:42:36Z" level=info msg="access granted" groups="[system:masters]" username=admin`.
 * Quoted values use Go's escaping. Returns undefined when the line is not key=value pairs.
 */
export function parseLogfmt(line: string): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < line.length) {
    while (line[at] === ' ') at++;
    if (at >= line.length) break;
    const keyStart = at;
    while (at < line.length && line[at] !== '=' && line[at] !== ' ') at++;
    if (line[at] !== '=' || at === keyStart) return undefined;
    const key = line.slice(keyStart, at);
    at++;
    const value = line[at] === '"' ? quotedValue(line, at) : bareValue(line, at);
    if (value === undefined) return undefined;
    fields[key] = value.text;
    at = value.end;
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

function bareValue(line: string, start: number): { text: string; end: number } {
  let end = start;
  while (end < line.length && line[end] !== ' ') end++;
  return { text: line.slice(start, end), end };
}

function quotedValue(line: string, start: number): { text: string; end: number } | undefined {
  let at = start + 1;
  while (at < line.length && line[at] !== '"') at += line[at] === '\\' ? 2 : 1;
  if (at >= line.length) return undefined;
  const quoted = line.slice(start, at + 1);
  return { text: unquote(quoted), end: at + 1 };
}

/** Go's strconv.Quote output is JSON for everything logrus writes but `\x..`, `\a`, `\v`; those stay as written. */
function unquote(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}

/** Go's `fmt` rendering of a string slice, `[system:masters system:nodes]`, as a list. */
export function goStringSlice(text: string | undefined): string[] | undefined {
  if (text === undefined || !text.startsWith('[') || !text.endsWith(']')) return undefined;
  const inner = text.slice(1, -1).trim();
  return inner === '' ? [] : inner.split(/\s+/);
}
