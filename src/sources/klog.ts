/** One line of a Kubernetes component log in klog's header format: `I0219 05:42:36.123456    1 server.go:123] message`. */
export interface KlogLine {
  level: 'info' | 'warning' | 'error' | 'fatal';
  /** `file.go:line` that wrote the line. */
  location: string;
  message: string;
}

const HEADER = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+ ([^\s\]]+)\] ?([\s\S]*)$/;
const LEVELS = { I: 'info', W: 'warning', E: 'error', F: 'fatal' } as const;

/** Reads the klog header of a line; undefined when the line has none (a component logging JSON or plain text). */
export function parseKlog(line: string): KlogLine | undefined {
  const match = HEADER.exec(line);
  if (!match) return undefined;
  return { level: LEVELS[match[1] as keyof typeof LEVELS], location: match[2], message: match[3].trimEnd() };
}
