/** A syslog line split into its header and message. */
export interface SyslogLine {
  timestamp: number;
  /** The time as written. */
  time: string;
  host: string;
  program?: string;
  pid?: string;
  message: string;
  priority?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC3339 = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})';
/** `<PRI>` is present when the line was received over the network, absent in files. */
const PRI = '(?:<(\\d{1,3})>)?';
/** `sshd[1234]: ` — the tag is optional, a few daemons write none. */
const TAG = '(?:([^\\s\\[\\]:]+)(?:\\[(\\d+)\\])?: )?';
/** RFC 3164 (`Jan  5 10:00:00 host …`) as in a classic auth.log. */
const BSD = new RegExp(`^${PRI}((${MONTHS.join('|')}) ([ \\d]\\d) (\\d{2}):(\\d{2}):(\\d{2})) (\\S+) ${TAG}(.*)$`, 's');
/** rsyslog's RFC 3339 file format (`2024-01-08T10:23:45.123456+00:00 host …`), Debian 12 and Ubuntu 23.10 onwards. */
const PRECISE = new RegExp(`^${PRI}(${RFC3339}) (\\S+) ${TAG}(.*)$`, 's');
/** RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`. */
const RFC5424 = new RegExp(`^<(\\d{1,3})>1 (${RFC3339}) (\\S+) (\\S+) (\\S+) (\\S+) (-|(?:\\[.*?\\])+)(?: (.*))?$`, 's');

/**
 * Parses one syslog line. RFC 3164 lines carry no year and no zone: the year is the one that
 * puts the line in the past (at most a day ahead, for clock skew) of `now`, and the time is UTC.
 */
export function parseSyslogLine(line: string, now: number): SyslogLine | undefined {
  return parse5424(line) ?? parsePrecise(line) ?? parseBsd(line, now);
}

function parse5424(line: string): SyslogLine | undefined {
  const match = RFC5424.exec(line);
  if (!match) return undefined;
  const [, priority, time, host, app, procId, , , message] = match;
  return { timestamp: Date.parse(time), time, host, program: nil(app), pid: nil(procId), message: message ?? '', priority: Number(priority) };
}

function parsePrecise(line: string): SyslogLine | undefined {
  const match = PRECISE.exec(line);
  if (!match) return undefined;
  const [, priority, time, host, program, pid, message] = match;
  return { timestamp: Date.parse(time), time, host, program, pid, message, priority: priority === undefined ? undefined : Number(priority) };
}

function parseBsd(line: string, now: number): SyslogLine | undefined {
  const match = BSD.exec(line);
  if (!match) return undefined;
  const [, priority, time, month, day, hours, minutes, seconds, host, program, pid, message] = match;
  const at = (year: number) => Date.UTC(year, MONTHS.indexOf(month), Number(day.trim()), Number(hours), Number(minutes), Number(seconds));
  const thisYear = new Date(now).getUTCFullYear();
  const timestamp = at(thisYear) > now + 86_400_000 ? at(thisYear - 1) : at(thisYear);
  return { timestamp, time, host, program, pid, message, priority: priority === undefined ? undefined : Number(priority) };
}

function nil(value: string): string | undefined {
  return value === '-' ? undefined : value;
}
