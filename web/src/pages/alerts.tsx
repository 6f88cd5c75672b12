import { useState } from 'react';
import { SEVERITIES, alertsOf, api, queryString, type Alert } from '../api';
import { SeverityBadge, StatusBadge } from '../components/badges';
import { Empty, ErrorNote, Loading } from '../components/notes';
import { formatAgo, formatCount, formatTime } from '../format';
import { navigate, onLinkClick } from '../router';
import { useLoad } from '../use-load';

const STATES = [
  { value: 'open', label: 'Open' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'resolved', label: 'Resolved' },
  { value: '', label: 'Any state' },
];

const severityOrder = (alert: Alert) => SEVERITIES.indexOf(alert.rule.severity);

export function entityText(entity: Alert['entity']): string {
  return Object.entries(entity)
    .filter(([key, value]) => key !== 'cluster' && value)
    .map(([key, value]) => `${key}: ${value}`)
    .join(' · ');
}

/** The triage list: most severe first, then most recent. */
export function AlertsPage({ search }: { search: string }) {
  const params = new URLSearchParams(search);
  const status = params.get('status') ?? 'open';
  const severity = params.get('severity') ?? '';
  const alerts = useLoad(() => api<unknown>('GET', `/api/v1/alerts${queryString({ status, severity, limit: 500 })}`).then(alertsOf), [status, severity]);
  const go = (next: { status?: string; severity?: string }) => navigate(`/alerts${queryString({ status: next.status ?? status, severity: next.severity ?? severity })}`);
  const sorted = [...(alerts.data ?? [])].sort((a, b) => severityOrder(a) - severityOrder(b) || Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
  const counts = SEVERITIES.map((level) => [level, sorted.filter((alert) => alert.rule.severity === level).length] as const).filter(([, count]) => count > 0);
  return (
    <div>
      <h1>Alerts</h1>
      <div className="toolbar">
        <div className="field">
          <label htmlFor="alert-state">State</label>
          <select id="alert-state" value={status} onChange={(event) => go({ status: event.target.value })}>
            {STATES.map((state) => (
              <option key={state.value} value={state.value}>
                {state.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="alert-severity">Severity at least</label>
          <select id="alert-severity" value={severity} onChange={(event) => go({ severity: event.target.value })}>
            <option value="">Any severity</option>
            {SEVERITIES.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </div>
        <p className="summary" aria-live="polite">
          {counts.map(([level, count]) => (
            <span key={level} className="summary-item">
              <SeverityBadge severity={level} /> {count}
            </span>
          ))}
        </p>
      </div>
      <ErrorNote error={alerts.error} what="alerts" />
      <Loading loading={alerts.loading} />
      {!alerts.loading && !alerts.error && sorted.length === 0 && <Empty>No alerts in this state. Detection runs on every event that arrives.</Empty>}
      {sorted.length > 0 && (
        <div className="card">
          <table className="list">
            <caption className="visually-hidden">Alerts, most severe first</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Alert</th>
                <th scope="col">Entity</th>
                <th scope="col" className="number">
                  Count
                </th>
                <th scope="col">Last seen</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((alert) => (
                <tr key={alert.id}>
                  <td>
                    <SeverityBadge severity={alert.rule.severity} />
                  </td>
                  <td>
                    <a href={`/alerts/${encodeURIComponent(alert.id)}`} onClick={onLinkClick} className="strong">
                      {alert.rule.title}
                    </a>
                    <div className="muted small">{alert.summary}</div>
                  </td>
                  <td className="small">{entityText(alert.entity)}</td>
                  <td className="number">{formatCount(alert.count)}</td>
                  <td title={formatTime(alert.lastSeen)}>{formatAgo(alert.lastSeen)}</td>
                  <td>
                    <StatusBadge status={alert.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function useAlertActions(alert: Alert | undefined, onChanged: () => void) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<Error>();
  const act = async (action: 'ack' | 'resolve') => {
    if (!alert) return;
    setBusy(action);
    setError(undefined);
    try {
      await api('POST', `/api/v1/alerts/${encodeURIComponent(alert.id)}/${action}`);
      onChanged();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(undefined);
    }
  };
  return { busy, error, act };
}
