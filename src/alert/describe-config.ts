import { formatDuration } from '../detect/duration.js';
import type { AlertingConfig, RouteNode } from './config.js';

/** The alerting config for people, without any secret: receivers by name and type, the route tree with its tiers. */
export function describeRoutes(config: AlertingConfig): string[] {
  const receivers = [...config.receivers.values()].map((receiver) => `${receiver.name} (${receiver.type})`);
  const lines = [`receivers: ${receivers.length > 0 ? receivers.join(', ') : 'none (alerts are tracked, nobody is notified)'}`];
  if (config.resolveAfterMs > 0) lines.push(`auto-resolve after ${formatDuration(config.resolveAfterMs)} without a new detection`);
  lines.push('routes:');
  lines.push(...routeLines(config.route, 1));
  return lines;
}

function routeLines(route: RouteNode, depth: number): string[] {
  const indent = '  '.repeat(depth);
  const matchers = route.matchers.length > 0 ? route.matchers.map((matcher) => matcher.text).join(' ') : 'every alert';
  const plan = route.plan
    ? route.plan.tiers.map((tier) => `${tier.receivers.join('+')} ${tier.afterMs === 0 ? 'at once' : `after ${formatDuration(tier.afterMs)}`}`).join(', then ')
    : 'nobody';
  const lines = [`${indent}${route.id}: ${matchers} → ${plan}${route.continue ? ' (continue)' : ''}`];
  for (const child of route.children) lines.push(...routeLines(child, depth + 1));
  return lines;
}
