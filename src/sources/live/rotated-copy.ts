import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** What identifies a file that was rotated away from its path: its inode (renamed) or its first bytes (copied). */
export interface RotatedIdentity {
  dev: number;
  ino: number;
  headHash: string;
  headLength: number;
}

/**
 * Finds where a file went when it was rotated: `auth.log.1`, `0.log.20260112-090000`,
 * `<id>-json.log.1`. A renamed file keeps its inode; a copy (copytruncate) is found by its
 * first bytes and must be at least `minSize` long. Compressed copies cannot be resumed.
 */
export async function findRotated(path: string, identity: RotatedIdentity, minSize: number): Promise<string | undefined> {
  const directory = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return undefined;
  }
  const candidates = names.filter((name) => name.startsWith(prefix) && !name.endsWith('.gz')).map((name) => join(directory, name));
  for (const candidate of candidates) if (await matches(candidate, identity, minSize)) return candidate;
  return undefined;
}

async function matches(candidate: string, identity: RotatedIdentity, minSize: number): Promise<boolean> {
  let info;
  try {
    info = await stat(candidate);
  } catch {
    return false;
  }
  if (info.dev === identity.dev && info.ino === identity.ino) return true;
  if (identity.headLength === 0 || info.size < minSize || info.size < identity.headLength) return false;
  return (await headHash(candidate, identity.headLength)) === identity.headHash;
}

async function headHash(path: string, length: number): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    return bytesRead === length ? createHash('sha256').update(head).digest('hex') : undefined;
  } finally {
    await handle.close();
  }
}
