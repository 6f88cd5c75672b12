import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listLogFiles } from './log-files.js';

describe('listLogFiles', () => {
  it('finds the .log files of /var/log/pods-like trees and /var/log/containers-like symlinks, not rotated copies', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-logs-'));
    const container = join(root, 'pods', 'shop_web-1_5f1c', 'web');
    mkdirSync(container, { recursive: true });
    writeFileSync(join(container, '0.log'), '');
    writeFileSync(join(container, '0.log.20260112-090000'), '');
    writeFileSync(join(container, '0.log.20260111-090000.gz'), '');
    mkdirSync(join(root, 'containers'));
    symlinkSync(join(container, '0.log'), join(root, 'containers', `web-1_shop_web-${'a'.repeat(64)}.log`));
    expect(await listLogFiles(join(root, 'pods'))).toEqual([join(container, '0.log')]);
    expect(await listLogFiles(join(root, 'containers'))).toEqual([join(root, 'containers', `web-1_shop_web-${'a'.repeat(64)}.log`)]);
    expect(await listLogFiles(join(container, '0.log'))).toEqual([join(container, '0.log')]);
    expect(await listLogFiles(join(root, 'missing'))).toEqual([]);
  });
});
