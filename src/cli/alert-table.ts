import type { AlertJson } from '../detect/alert.js';
import type { Table } from './render.js';

/** The table people see for alerts, from `vigil detect` and `vigil alerts list` alike. */
export function alertTable(alerts: ReadonlyArray<AlertJson & { status?: string; id: string }>, withStatus = false): Table {
  // Imported Sigma rules keep their author visible (DRL 1.1 attribution).
  const withAuthor = alerts.some((alert) => alert.rule.author !== undefined);
  // Alerts filed by `vigil hunt --store-alerts` were found in history, not live: say so where any are listed.
  const withOrigin = alerts.some((alert) => alert.origin !== undefined);
  const columns = ['severity', 'rule', ...(withAuthor ? ['rule author'] : []), 'entity', 'count', 'first seen', 'last seen', ...(withOrigin ? ['origin'] : []), 'summary'];
  return {
    columns: withStatus ? ['id', 'status', ...columns] : columns,
    rows: alerts.map((alert) => [
      ...(withStatus ? [alert.id, alert.status] : []),
      alert.rule.severity,
      alert.rule.id,
      ...(withAuthor ? [alert.rule.author] : []),
      entityText(alert.entity),
      alert.count,
      alert.firstSeen,
      alert.lastSeen,
      ...(withOrigin ? [alert.origin ?? 'live'] : []),
      alert.summary,
    ]),
  };
}

function entityText(entity: AlertJson['entity']): string {
  const { cluster: _cluster, ...rest } = entity;
  return Object.values(rest).join(' ');
}
