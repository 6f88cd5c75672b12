import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AlertingConfigError, parseAlertingConfig } from './config.js';
import { splitConfigSections } from './config-file.js';
import { describeRoutes } from './describe-config.js';

const ENV = { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/SECRETSECRET', PD_KEY: '0123456789abcdef0123456789abcdef', SMTP_PASSWORD: 'hunter2-hunter2' };

const VALID = `
resolve_after: 30m
receivers:
  slack: {type: slack, url: "\${SLACK_WEBHOOK_URL}"}
  pd: {type: pagerduty, routing_key: "\${PD_KEY}", delivery: {max_attempts: 5, rate_per_second: 1}}
  lead: {type: smtp, host: smtp.example.com, username: vigil, password: "\${SMTP_PASSWORD}", from: vigil@example.com, to: [lead@example.com]}
escalations:
  security:
    tiers:
      - {after: 0m, notify: [slack]}
      - {after: 15m, notify: [pd]}
      - {after: 45m, notify: [lead]}
    repeat: 2
route:
  receivers: [slack]
  group_by: [rule, cluster]
  routes:
    - name: severe
      matchers: ["severity>=high"]
      escalation: security
      continue: true
    - matchers: ['namespace=~"kube-.*"']
      group_wait: 10s
`;

function problemsOf(yaml: string, env: NodeJS.ProcessEnv = ENV): string[] {
  try {
    parseAlertingConfig(parse(yaml), env);
  } catch (error) {
    if (error instanceof AlertingConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('alerting config', () => {
  it('loads receivers, escalations, routes with inheritance, and secrets from the environment', () => {
    const config = parseAlertingConfig(parse(VALID), ENV);
    expect(config.resolveAfterMs).toBe(30 * 60_000);
    expect(config.receivers.get('slack')?.settings).toEqual({ url: ENV.SLACK_WEBHOOK_URL });
    expect(config.receivers.get('pd')?.delivery).toMatchObject({ maxAttempts: 5, ratePerSecond: 1, concurrency: 2 });
    const [severe, kube] = config.route.children;
    expect(severe.id).toBe('severe');
    expect(severe.plan?.tiers.map((tier) => [tier.afterMs, tier.receivers])).toEqual([
      [0, ['slack']],
      [15 * 60_000, ['pd']],
      [45 * 60_000, ['lead']],
    ]);
    expect(severe.plan?.repeat).toBe(2);
    expect(severe.groupBy).toEqual(['rule', 'cluster']);
    expect(kube.id).toBe('route.routes[1]');
    expect(kube.groupWaitMs).toBe(10_000);
    expect(kube.groupIntervalMs).toBe(300_000);
    const perAlert = parseAlertingConfig(parse('receivers: {s: {type: slack, url: "https://example.com"}}\nroute: {receivers: [s]}'), {});
    expect([perAlert.route.groupWaitMs, perAlert.route.groupIntervalMs]).toEqual([0, 0]);
    expect(kube.plan?.tiers[0].receivers).toEqual(['slack']);
    expect(config.inhibitRules).toHaveLength(1);
  });

  it('names the key of every problem, all at once', () => {
    const problems = problemsOf(`
receivers:
  slack: {type: slak, url: "https://example.com"}
  pd: {type: pagerduty}
  hook: {type: webhook, url: "https://example.com", secret: short}
escalations:
  security:
    tiers:
      - {after: 15m, notify: [nobody]}
      - {after: 5m, notify: [pd]}
route:
  escalation: security
  routes:
    - matchers: ["severity>=urgent", "colour=red"]
      receivers: [slack]
      group_by: [rule, flavour]
    - {escalation: missing, typo_key: 1}
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^alerting\.receivers\.slack\.type: unknown receiver type "slak" \(types: webhook, slack, pagerduty, alertmanager, smtp, file\)$/),
        expect.stringMatching(/^alerting\.receivers\.pd\.routing_key: /),
        expect.stringMatching(/^alerting\.receivers\.hook\.secret: .*16 characters/),
        expect.stringMatching(/^alerting\.escalations\.security\.tiers\[0\]\.notify\[0\]: no receiver named "nobody"/),
        expect.stringMatching(/^alerting\.escalations\.security\.tiers\[1\]\.after: tiers must be in order/),
        expect.stringMatching(/^alerting\.route\.routes\[1\]: unknown key\(s\) "typo_key"/),
      ]),
    );
    // Once the route tree has the right shape, what its keys say is checked too.
    const routeProblems = problemsOf(`
receivers:
  slack: {type: slack, url: "https://example.com"}
route:
  routes:
    - matchers: ["severity>=urgent", "colour=red"]
      receivers: [slack, pager]
      group_by: [rule, flavour]
    - {escalation: missing}
`);
    expect(routeProblems).toEqual([
      expect.stringMatching(/^alerting\.route\.routes\[0\]\.matchers\[0\]: .*"urgent" is not a severity/),
      expect.stringMatching(/^alerting\.route\.routes\[0\]\.matchers\[1\]: .*unknown label "colour"/),
      expect.stringMatching(/^alerting\.route\.routes\[0\]\.group_by\[1\]: unknown label "flavour"/),
      expect.stringMatching(/^alerting\.route\.routes\[0\]\.receivers\[1\]: no receiver named "pager" \(defined: slack\)/),
      expect.stringMatching(/^alerting\.route\.routes\[1\]\.escalation: no escalation named "missing"/),
    ]);
    expect(problemsOf('route: {routes: [{typo_key: 1}]}')).toEqual([expect.stringMatching(/^alerting\.route\.routes\[0\]: unknown key\(s\) "typo_key"/)]);
  });

  it('reports an unset environment variable by key, and never prints a secret', () => {
    const problems = problemsOf(VALID, { ...ENV, PD_KEY: undefined });
    expect(problems).toEqual(['alerting.receivers.pd.routing_key: environment variable PD_KEY is not set']);
    const config = parseAlertingConfig(parse(VALID), ENV);
    const shown = describeRoutes(config).join('\n');
    for (const secret of Object.values(ENV)) expect(shown).not.toContain(secret);
    expect(shown).toContain('slack at once, then pd after 15m, then lead after 45m');
    const invalidUrl = problemsOf('receivers: {s: {type: slack, url: "${SLACK_WEBHOOK_URL}x y"}}\nroute: {receivers: [s]}');
    expect(invalidUrl.join('\n')).not.toContain('SECRETSECRET');
  });

  it('keeps a literal ${ written as $${', () => {
    const config = parseAlertingConfig(parse('receivers: {h: {type: webhook, url: "https://example.com/a", headers: {x-template: "$${literal}"}}}\nroute: {receivers: [h]}'), {});
    expect(config.receivers.get('h')?.settings).toMatchObject({ headers: { 'x-template': '${literal}' } });
  });

  it('splits the alerting section from the rest of a config file', () => {
    const sections = splitConfigSections('sources:\n  - {kind: syslog, cluster: prod}\nalerting:\n  receivers: {}\n', 'vigil.yaml');
    expect(sections.alerting).toEqual({ receivers: {} });
    expect(parse(sections.rest)).toEqual({ sources: [{ kind: 'syslog', cluster: 'prod' }] });
    expect(splitConfigSections('sources: []\n', 'x').alerting).toBeUndefined();
  });
});
