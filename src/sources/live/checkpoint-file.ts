import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Where a live source resumes after a restart (a resourceVersion, a journal cursor, file
 * offsets), kept as JSON in a file. Written to a temporary file and renamed, so a crash leaves
 * the old or the new checkpoint, never half of one.
 */
export class CheckpointFile<T> {
  constructor(readonly path: string) {}

  load(): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new Error(`checkpoint ${this.path} is not valid JSON (${(error as Error).message}); delete it to start over`);
    }
  }

  /** Like `load`, but an unreadable checkpoint is reported and ignored: the source starts over, and the store drops what it already has. */
  loadOr(report: (message: string) => void): T | undefined {
    try {
      return this.load();
    } catch (error) {
      report(`${(error as Error).message}; starting over`);
      return undefined;
    }
  }

  save(value: T): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, this.path);
  }
}
