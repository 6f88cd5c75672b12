import type { Decoded, LineDecoder } from '../source.js';
import { RepeatCounter, withRepeat } from '../repeat-counter.js';
import { authFactsOf, nodeEvent } from './node-event.js';
import { severityName } from './priority.js';
import { parseSyslogLine } from './syslog-line.js';

/** rsyslog folds equal messages: `message repeated 3 times: [ Failed password for … ]`. */
const REPEATED = /^message repeated (\d+) times: \[ ?(.*?) ?\]$/s;

/** Decodes the lines of a syslog file (auth.log, syslog, messages). */
export class SyslogLineDecoder implements LineDecoder {
  private readonly repeats = new RepeatCounter();

  constructor(
    private readonly cluster: string,
    private readonly now: () => number = Date.now,
  ) {}

  decode(line: string, position: string): Decoded {
    const parsed = parseSyslogLine(line, this.now());
    if (!parsed || Number.isNaN(parsed.timestamp)) {
      return { events: [], rejections: [{ reason: 'not a syslog line: expected "<Mmm dd hh:mm:ss|RFC 3339 time> <host> <program>[pid]: <message>" or RFC 5424', where: position, text: line }] };
    }
    const folded = REPEATED.exec(parsed.message);
    const message = folded ? folded[2] : parsed.message;
    const auth = authFactsOf({ program: parsed.program, message });
    const raw: Record<string, unknown> = { line, time: parsed.time, host: parsed.host, message };
    if (parsed.program) raw.program = parsed.program;
    if (parsed.pid) raw.pid = parsed.pid;
    if (parsed.priority !== undefined) raw.priority = parsed.priority;
    if (folded) raw.repeated = Number(folded[1]);
    // Syslog records are built from the line, so what the auth parser found is stored with them.
    if (auth) raw.auth = auth.details;
    const entry = {
      timestamp: parsed.timestamp,
      dedupKey: withRepeat(line, this.repeats.next(parsed.time, line)),
      host: parsed.host,
      program: parsed.program,
      message,
      level: parsed.priority === undefined ? undefined : severityName(parsed.priority),
      raw,
      record: JSON.stringify(raw),
    };
    return { events: [nodeEvent(entry, this.cluster, auth)], rejections: [] };
  }

  hasPartial(): boolean {
    return false;
  }

  end(): Decoded {
    return { events: [], rejections: [] };
  }
}
