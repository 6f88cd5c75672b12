import { parseSyslogLine } from './node/syslog-line.js';
import { SyslogLineDecoder } from './node/syslog-decoder.js';
import type { Source } from './source.js';

/**
 * Node OS logs as plain syslog lines (`/var/log/auth.log`, `/var/log/secure`, `/var/log/syslog`):
 * RFC 3164, rsyslog's RFC 3339 file format and RFC 5424; sshd, sudo and PAM messages are parsed
 * into user, source address and outcome.
 */
export const syslogSource: Source = {
  kind: 'node',
  name: 'syslog',

  // Syslog records are text lines; a JSON value is never one.
  recognises: () => false,

  decode(_value, text) {
    return { events: [], rejections: [{ reason: 'syslog records are text lines, not JSON; use --source journald for journalctl -o json', where: '', text }] };
  },

  lines: {
    recognises: isSyslogLine,
    open: (context) => new SyslogLineDecoder(context.cluster),
  },
};

/**
 * Stricter than the decoder: auto-detection also wants a program tag and a host that is not a
 * CRI stream name, so a container log line is never taken for syslog.
 */
function isSyslogLine(line: string): boolean {
  const parsed = parseSyslogLine(line, Date.now());
  return parsed !== undefined && parsed.program !== undefined && parsed.host !== 'stdout' && parsed.host !== 'stderr';
}
