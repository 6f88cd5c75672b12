import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** How deep `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log` goes below its root. */
const MAX_DEPTH = 3;

/**
 * The `*.log` files to follow under a path: the file itself, the files of a directory such as
 * `/var/log/containers` (symlinks followed), or those nested below one such as `/var/log/pods`.
 */
export async function listLogFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return [];
  return info.isDirectory() ? walk(path, 0) : [path];
}

async function walk(directory: string, depth: number): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory() && depth < MAX_DEPTH) found.push(...(await walk(path, depth + 1)));
    else if (!entry.isDirectory() && entry.name.endsWith('.log')) found.push(path);
  }
  return found.sort();
}
