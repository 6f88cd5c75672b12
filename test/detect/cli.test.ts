import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, vigil } from '../helpers/cli.js';
import { sortByTime } from './scenarios/audit-builder.js';
import { ATTACKS } from './scenarios/attacks.js';
import { normalDay } from './scenarios/normal-day.js';

const ALERT_KEYS = ['id', 'rule', 'techniques', 'entity', 'count', 'firstSeen', 'lastSeen', 'summary', 'events'];
let dir: string;
let dayFile: string;
let attackFile: string;

beforeAll(() => {
  dir = tempDir('vigil-detect-');
  const day = normalDay();
  const privileged = ATTACKS.find((attack) => attack.name.startsWith('privileged pod'));
  dayFile = join(dir, 'day.log');
  attackFile = join(dir, 'attack.log.gz');
  writeFileSync(dayFile, day.map((event) => JSON.stringify(event)).join('\n') + '\n');
  const withAttack = sortByTime([...day, ...(privileged?.events() ?? [])]);
  writeFileSync(attackFile, gzipSync(withAttack.map((event) => JSON.stringify(event)).join('\n') + '\n'));
});

describe('vigil detect', () => {
  it('prints one DESIGN.md alert object a line with -o ndjson and exits 1 when it found something', async () => {
    const result = await vigil(['detect', '--cluster', 'prod-eu', '-o', 'ndjson', attackFile]);
    expect(result.code).toBe(1);
    const alerts = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    for (const alert of alerts) expect(Object.keys(alert)).toEqual(ALERT_KEYS);
    const privileged = alerts.find((alert) => alert.rule.id === 'k8s-privileged-container');
    expect(privileged).toMatchObject({
      rule: { severity: 'high', format: 'vigil' },
      techniques: ['T1611', 'T1610'],
      entity: { user: 'heidi@example.com', namespace: 'default', cluster: 'prod-eu' },
      count: 1,
      firstSeen: '2026-03-02T11:45:00.000Z',
    });
    expect(privileged.events).toHaveLength(1);
    expect(result.stderr).toMatch(/^\d+ events, \d+ alert\(s\) in /m);
  });

  it('prints nothing and exits 0 on a normal day at --min-severity high', async () => {
    const result = await vigil(['detect', '--min-severity', 'high', dayFile]);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toBe('SEVERITY  RULE  ENTITY  COUNT  FIRST SEEN  LAST SEEN  SUMMARY\n');
  });

  it('reads stdin and prints a table by default', async () => {
    const exec = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x1","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/shop/pods/web/exec?command=sh","user":{"username":"alice@example.com"},"sourceIPs":["10.0.0.5"],"objectRef":{"resource":"pods","namespace":"shop","name":"web","subresource":"exec"},"responseStatus":{"code":101},"requestReceivedTimestamp":"2026-03-02T10:00:00Z"}\n';
    const result = await vigil(['detect', '-'], { stdin: exec });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^medium\s+k8s-exec-into-pod\s+alice@example\.com shop web 10\.0\.0\.5\s+1\s/m);
  });

  it('refuses a broken rule set, naming file, rule and key, with exit status 2', async () => {
    const rules = join(dir, 'bad-rules');
    mkdirSync(rules);
    writeFileSync(join(rules, 'mine.yaml'), 'rules:\n  - id: my-rule\n    title: t\n    description: d\n    severity: high\n    match: {verb|equal: delete}\n');
    const result = await vigil(['detect', '--rules', rules, dayFile]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(rules, 'mine.yaml')}: rule my-rule: match.verb|equal: unknown or repeated modifier "equal"`);
  });
});

describe('vigil rules', () => {
  it('test: passes for the built-in pack', async () => {
    const result = await vigil(['rules', 'test']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^(\d+)\/\1 rule tests passed \(\d+ rules\)$/m);
  });

  it('test: reports a failing case of a custom rule and exits 1', async () => {
    const rules = join(dir, 'custom-rules');
    mkdirSync(rules);
    writeFileSync(
      join(rules, 'secrets.yaml'),
      `id: prod-secret-deleted
title: Secret deleted in prod
description: Someone deleted a Secret in the prod namespace.
severity: high
techniques: [T1485]
match: {verb: delete, resource: secrets, namespace: prod}
tests:
  positive:
    - name: wrong namespace, so this positive case fails
      events:
        - {kind: Event, auditID: a1, stage: ResponseComplete, verb: delete, user: {username: bob}, objectRef: {resource: secrets, namespace: dev, name: db}, requestReceivedTimestamp: "2026-03-02T10:00:00Z"}
  negative:
    - name: a read
      events:
        - {kind: Event, auditID: a2, stage: ResponseComplete, verb: get, user: {username: bob}, objectRef: {resource: secrets, namespace: prod, name: db}, requestReceivedTimestamp: "2026-03-02T10:00:00Z"}
`,
    );
    const result = await vigil(['rules', 'test', '--rules', rules]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL prod-secret-deleted');
    expect(result.stdout).toContain('expected an alert, got none');
    expect(result.stdout).toContain('1/2 rule tests passed (1 rules), 1 failed');
  });

  it('list: prints the rules as JSON', async () => {
    const result = await vigil(['rules', 'list', '-o', 'json']);
    expect(result.code).toBe(0);
    const rules = JSON.parse(result.stdout);
    expect(rules.length).toBeGreaterThanOrEqual(30);
    expect(rules.find((rule: { id: string }) => rule.id === 'k8s-mass-delete')).toMatchObject({ severity: 'high', kind: 'threshold', techniques: ['T1485'], sources: ['k8s.audit'] });
  });
});
