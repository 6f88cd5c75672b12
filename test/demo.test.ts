import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../src/package-root.js';
import { tempDir, vigil } from './helpers/cli.js';
import { ATTACKS } from './detect/scenarios/attacks.js';
import { sortByTime } from './detect/scenarios/audit-builder.js';
import { normalDay } from './detect/scenarios/normal-day.js';

describe('vigil demo', () => {
  it('bundles exactly the demo cluster the scenario builders produce', () => {
    const kept = normalDay().filter((event) => !ATTACKS.some((attack) => attack.removes?.(event)));
    const expected = sortByTime([...kept, ...ATTACKS.flatMap((attack) => attack.events())]).map((event) => JSON.stringify(event));
    const bundled = gunzipSync(readFileSync(packagePath('demo', 'demo-cluster-audit.log.gz'))).toString('utf8').trimEnd().split('\n');
    expect(bundled).toEqual(expected);
  });

  it('loads the demo cluster and shows the attacks as high alerts', async () => {
    const dataDir = tempDir();
    const result = await vigil(['demo', '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/accepted \d{4,}, duplicates 0, quarantined 0/);
    for (const rule of ['k8s-mass-delete', 'k8s-sa-token-external-ip', 'k8s-forbidden-wave', 'k8s-cluster-admin-binding', 'absence-k8s-audit']) {
      expect(result.stdout).toContain(rule);
    }
    const listed = await vigil(['alerts', 'list', '--severity', 'high', '-o', 'json', '--data-dir', dataDir]);
    const alerts = JSON.parse(listed.stdout) as Array<{ rule: { id: string }; entity: { user?: string }; status: string }>;
    expect(alerts.find((alert) => alert.rule.id === 'k8s-mass-delete')).toMatchObject({ entity: { user: 'bob@example.com' }, status: 'open' });
  });
});
