import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanEnv } from '../helpers/cli.js';
import { eventually } from './helpers.js';

interface ListedAlert {
  rule: { id: string; severity: string };
}

describe('npm run demo:scale-out (the README scale-out demo)', () => {
  it('brings up the bus, the store, two workers and serve, shows the demo attacks as alerts, and Ctrl-C removes it all', async () => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'src', 'local-servers', 'scale-out-demo.js'), '127.0.0.1:0'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(() => (output.includes('Replayed the demo cluster') ? true : undefined), () => `the demo replay; output so far:\n${output}`, 180_000);
      expect(output).toContain('7777 of 7777 audit events on the bus for the workers');
      const url = /vigil serving on (http:\/\/[\d.:]+)/.exec(output)?.[1];
      const token = /\b(vgl_[\w-]+)/.exec(output)?.[1];
      expect(url && token).toBeTruthy();
      const workerDirs = [...output.matchAll(/store (clickhouse:\/\/\S+)/g)];
      expect(workerDirs).toHaveLength(1);

      // The demo's stolen service-account token is caught by a worker and read back from ClickHouse by serve.
      const alerts = await eventually(
        async () => {
          const response = await fetch(`${url}/api/v1/alerts?limit=200`, { headers: { authorization: `Bearer ${token}` } });
          const listed = (await response.json()) as ListedAlert[];
          return listed.some((alert) => alert.rule.id === 'k8s-sa-token-external-ip') ? listed : undefined;
        },
        'the stolen-token alert from the workers',
        120_000,
      );
      expect(alerts.filter((alert) => alert.rule.severity === 'high').length).toBeGreaterThan(3);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    const serveDir = /tokens and Vigil's own actions in (\S+?)\)/.exec(output)?.[1];
    expect(serveDir && existsSync(serveDir)).toBe(false);
  }, 300_000);
});
