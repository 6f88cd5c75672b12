import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { AlertJson } from '../detect/alert.js';
import { parseAlertingConfig } from './config.js';
import { alertLabels } from './labels.js';
import { routeAlert } from './routing.js';

const config = parseAlertingConfig(
  parse(`
receivers:
  default: {type: file, path: /dev/null}
  security: {type: file, path: /dev/null}
  platform: {type: file, path: /dev/null}
  audit: {type: file, path: /dev/null}
route:
  receivers: [default]
  routes:
    - name: everything-audited
      matchers: ["severity>=low"]
      receivers: [audit]
      continue: true
    - name: security
      matchers: ["severity>=high"]
      receivers: [security]
      group_by: [cluster, user]
      routes:
        - name: kube-system
          matchers: ["namespace=kube-system"]
          receivers: [platform]
    - name: platform
      matchers: ['namespace=~"kube-.*"']
      receivers: [platform]
    - name: quiet
      matchers: ["rule=noisy-rule"]
`),
  {},
);

function routes(severity: AlertJson['rule']['severity'], namespace: string, rule = 'k8s-x'): string[] {
  const alert = { id: 'a1', rule: { id: rule, title: 't', severity, format: 'vigil' as const }, techniques: [], entity: { cluster: 'prod', namespace, user: 'bob' } };
  return routeAlert(config.route, alertLabels(alert), alert.id).map((match) => `${match.route.id}:${match.plan.tiers[0].receivers.join('+')}`);
}

describe('routing tree', () => {
  it('takes the first matching child, and later siblings too after one that says continue', () => {
    expect(routes('high', 'payments')).toEqual(['everything-audited:audit', 'security:security']);
    expect(routes('medium', 'kube-public')).toEqual(['everything-audited:audit', 'platform:platform']);
  });

  it('lands on the deepest matching route', () => {
    expect(routes('critical', 'kube-system')).toEqual(['everything-audited:audit', 'kube-system:platform']);
  });

  it('falls back to the default route when no child matches', () => {
    expect(routes('info', 'payments')).toEqual(['route:default']);
  });

  it('lets a child inherit its parent receivers', () => {
    expect(routes('info', 'payments', 'noisy-rule')).toEqual(['quiet:default']);
  });

  it('groups by the route group_by labels, or per alert', () => {
    const alert = { id: 'a1', rule: { id: 'k8s-x', title: 't', severity: 'high' as const, format: 'vigil' as const }, techniques: [], entity: { cluster: 'prod', namespace: 'payments', user: 'bob' } };
    const [audit, security] = routeAlert(config.route, alertLabels(alert), alert.id);
    expect(audit.groupLabels).toEqual({ alert: 'a1' });
    expect(security.groupLabels).toEqual({ cluster: 'prod', user: 'bob' });
  });
});
