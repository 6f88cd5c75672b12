import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { REPO_ROOT, tempDir } from './cli.js';

/** Debian's chromium (installed by .ci/run when missing). */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

/** Flags that keep chromium off the network it cannot reach here, and running as root. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A headless chromium with a fresh profile. */
export function launchChromium(viewport = { width: 1440, height: 900 }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(tempDir('vigil-chromium-'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
}

/** Builds the web UI into dist/web when it is missing or older than its sources (npm install builds it too). */
export function ensureUiBuilt(): void {
  const built = join(REPO_ROOT, 'dist', 'web', 'index.html');
  if (existsSync(built) && newestIn(join(REPO_ROOT, 'web')) <= statSync(built).mtimeMs) return;
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building the web UI failed:\n${result.stdout}${result.stderr}`);
}

function newestIn(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestIn(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function artifactPath(name: string): string {
  mkdirSync(join(ARTIFACTS, 'ui'), { recursive: true });
  return join(ARTIFACTS, 'ui', name);
}

/**
 * Collects the page's uncaught errors and what the CSP refused into `errors`: the UI must load
 * nothing beyond its own origin and throw nothing.
 */
export function collectPageErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) errors.push(message.text());
  });
}
