import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertingConfigOf, splitConfigSections } from '../../src/alert/config-file.js';
import { parseServeConfig } from '../../src/config/serve-config.js';
import { REPO_ROOT } from '../helpers/cli.js';

describe('README alerting example', () => {
  it('is a valid config that pages Slack at once, PagerDuty after 15 minutes and e-mails the lead after 45', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('# vigil.yaml — vigil serve --config vigil.yaml');
    expect(start).toBeGreaterThan(0);
    const text = readme.slice(start, readme.indexOf('```', start));
    expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(24);
    const sections = splitConfigSections(text, 'README');
    expect(parseServeConfig(sections.rest, 'README').sources).toEqual([]);
    const config = alertingConfigOf(sections, 'README', { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x', PAGERDUTY_ROUTING_KEY: 'k'.repeat(32), SMTP_PASSWORD: 'p' });
    const tiers = config.route.plan?.tiers.map((tier) => [tier.afterMs / 60_000, tier.receivers.map((name) => config.receivers.get(name)?.type)]);
    expect(tiers).toEqual([
      [0, ['slack']],
      [15, ['pagerduty']],
      [45, ['smtp']],
    ]);
    expect(config.route.matchers).toEqual([]);
  });
});
