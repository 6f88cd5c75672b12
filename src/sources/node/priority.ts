/** Syslog severity keywords by number (RFC 5424 §6.2.1), as journald's PRIORITY and `<PRI>` give them. */
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

export function severityName(priority: number): string | undefined {
  return Number.isInteger(priority) && priority >= 0 ? SEVERITIES[priority % 8] : undefined;
}
