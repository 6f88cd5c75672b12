import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, vigil } from './helpers/cli.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('gives the two set-up commands that .ci/run and a new user run', () => {
    expect(README).toContain('npm install && npx vigil serve --demo');
    const testCommand = 'scripts/install-test-deps.sh && npm ci && npm test';
    expect(README).toContain(testCommand);
    expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8').split('\n')).toContain(testCommand);
  });

  it('shows a custom rule whose own tests pass', async () => {
    const start = README.indexOf('# my-rules/prod-secrets.yaml');
    expect(start).toBeGreaterThan(0);
    const dir = join(tempDir(), 'my-rules');
    mkdirSync(dir);
    writeFileSync(join(dir, 'prod-secrets.yaml'), README.slice(start, README.indexOf('```', start)));
    const result = await vigil(['rules', 'test', '--rules', dir]);
    expect(result.stdout).toContain('2/2 rule tests passed (1 rules)');
    expect(result.code).toBe(0);
  });
});
