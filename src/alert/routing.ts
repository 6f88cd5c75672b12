import type { EscalationPlan, RouteNode } from './config.js';
import { type AlertLabels, labelText } from './labels.js';
import { matchesAll } from './matchers.js';

export interface RouteMatch {
  route: RouteNode;
  plan: EscalationPlan;
  /** Identifies the alert's notification group within the route. */
  groupKey: string;
  groupLabels: Record<string, string>;
}

/**
 * The routes an alert takes, as Alertmanager walks its tree: depth first, a route that matches
 * is entered; the first matching child wins unless it says `continue`, in which case later
 * siblings are tried too; a route none of whose children match is where the alert lands. The
 * default (root) route matches every alert. Routes that notify nobody are left out.
 */
export function routeAlert(root: RouteNode, labels: AlertLabels, alertId: string): RouteMatch[] {
  return landings(root, labels)
    .filter((route): route is RouteNode & { plan: EscalationPlan } => route.plan !== undefined)
    .map((route) => ({ route, plan: route.plan, ...groupOf(route, labels, alertId) }));
}

function landings(route: RouteNode, labels: AlertLabels): RouteNode[] {
  const found: RouteNode[] = [];
  for (const child of route.children) {
    if (!matchesAll(child.matchers, labels)) continue;
    found.push(...landings(child, labels));
    if (!child.continue) break;
  }
  return found.length > 0 ? found : [route];
}

function groupOf(route: RouteNode, labels: AlertLabels, alertId: string): { groupKey: string; groupLabels: Record<string, string> } {
  if (route.groupBy === null) return { groupKey: `${route.id}\u001e${alertId}`, groupLabels: { alert: alertId } };
  const groupLabels = Object.fromEntries(route.groupBy.map((name) => [name, labelText(labels, name)]));
  return { groupKey: `${route.id}\u001e${JSON.stringify(groupLabels)}`, groupLabels };
}
