import type { Severity } from '../api';

export function SeverityBadge({ severity }: { severity: Severity | string }) {
  return <span className={`badge severity-${severity}`}>{severity}</span>;
}

const STATUS_CLASS: Record<string, string> = {
  open: 'status-bad',
  acknowledged: 'status-warn',
  resolved: 'status-good',
  silenced: 'status-muted',
  silent: 'status-bad',
  ok: 'status-good',
  unwatched: 'status-muted',
  'no events': 'status-warn',
  fires: 'status-good',
  partial: 'status-warn',
  blind: 'status-bad',
  unknown: 'status-muted',
  'not-audit': 'status-muted',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${STATUS_CLASS[status] ?? 'status-muted'}`}>{status}</span>;
}
