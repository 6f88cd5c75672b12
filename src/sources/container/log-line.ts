/** One physical line of a container log file, in either format the kubelet reads. */
export interface PhysicalLine {
  format: 'cri' | 'docker';
  /** The runtime's timestamp text (RFC 3339 with nanoseconds), kept as written. */
  time: string;
  stream: string;
  /** The line is cut and continues in the next line of the same stream. */
  partial: boolean;
  message: string;
  /** docker json-file `attrs` (labels, env the daemon was told to log). */
  attrs?: Record<string, unknown>;
}

/**
 * `<time> <stream> <tags> <message>` (kubelet `parseCRILog`): tags are split on `:` and the
 * first is `P` (partial) or `F` (full); offsets such as `+00:00` occur (containerd, CRI-O).
 */
const CRI = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) (stdout|stderr) ([PF])((?::[^ ]*)?)(?: (.*))?$/s;

export function parseCriLine(line: string): PhysicalLine | undefined {
  const match = CRI.exec(line);
  if (!match) return undefined;
  return { format: 'cri', time: match[1], stream: match[2], partial: match[3] === 'P', message: match[5] ?? '' };
}

/**
 * A docker json-file entry `{"log":"…\n","stream":"stdout","time":"…"}`. The daemon splits
 * lines longer than 16 KiB; every piece but the last lacks the trailing newline.
 */
export function dockerLineOf(value: unknown): PhysicalLine | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const entry = value as Record<string, unknown>;
  if (typeof entry.log !== 'string' || typeof entry.time !== 'string' || (entry.stream !== 'stdout' && entry.stream !== 'stderr')) return undefined;
  const complete = entry.log.endsWith('\n');
  const attrs = entry.attrs !== null && typeof entry.attrs === 'object' ? (entry.attrs as Record<string, unknown>) : undefined;
  return { format: 'docker', time: entry.time, stream: entry.stream, partial: !complete, message: complete ? entry.log.slice(0, -1) : entry.log, attrs };
}

export function parseDockerLine(line: string): PhysicalLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return dockerLineOf(JSON.parse(line));
  } catch {
    return undefined;
  }
}

export function parseContainerLine(line: string): PhysicalLine | undefined {
  return parseCriLine(line) ?? parseDockerLine(line);
}
