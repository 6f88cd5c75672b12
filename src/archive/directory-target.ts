import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readFile, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { type ArchiveTarget, ArchiveObjectMissing } from './target.js';

/** The default target: a directory tree; each object is written to a temporary name, fsynced, then renamed into place. */
export class DirectoryTarget implements ArchiveTarget {
  readonly location: string;

  constructor(dir: string) {
    this.location = resolve(dir);
  }

  async putFile(name: string, localPath: string): Promise<void> {
    await this.place(name, async (temp) => {
      await copyFile(localPath, temp);
    });
  }

  async putText(name: string, text: string): Promise<void> {
    await this.place(name, async (temp) => {
      const handle = await open(temp, 'w', 0o644);
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
    });
  }

  async read(name: string): Promise<Readable> {
    const path = this.path(name);
    try {
      await stat(path);
    } catch {
      throw new ArchiveObjectMissing(`${name} is missing from archive ${this.location}`);
    }
    return createReadStream(path);
  }

  async readText(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<{ name: string; bytes: number }> {
    const names: Array<{ name: string; bytes: number }> = [];
    await this.walk(this.location, names);
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    yield* names.filter((entry) => entry.name.startsWith(prefix));
  }

  /** Removes the object, and the directories it leaves empty (day folders of expired segments). */
  async remove(name: string): Promise<void> {
    const path = this.path(name);
    await rm(path, { force: true });
    for (let dir = dirname(path); dir.startsWith(this.location + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or gone already): the folders above stay too
      }
    }
  }

  private async walk(dir: string, into: Array<{ name: string; bytes: number }>): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(full, into);
      else if (entry.isFile() && !entry.name.includes('.partial-')) {
        into.push({ name: relative(this.location, full).split(sep).join('/'), bytes: (await stat(full)).size });
      }
    }
  }

  private async place(name: string, write: (temp: string) => Promise<void>): Promise<void> {
    const path = this.path(name);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.partial-${process.pid}`;
    await write(temp);
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  }

  private path(name: string): string {
    const path = resolve(this.location, name);
    if (!path.startsWith(this.location + sep)) throw new Error(`archive object name ${JSON.stringify(name)} leaves the archive directory`);
    return path;
  }
}
