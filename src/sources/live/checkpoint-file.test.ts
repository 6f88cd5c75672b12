import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointFile } from './checkpoint-file.js';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'vigil-checkpoint-')), 'deep', 'source.json');

describe('CheckpointFile', () => {
  it('saves by rename into a created directory and loads back; nothing saved is undefined', () => {
    const file = new CheckpointFile<{ cursor: string }>(fresh());
    expect(file.load()).toBeUndefined();
    file.save({ cursor: 'a' });
    file.save({ cursor: 'b' });
    expect(file.load()).toEqual({ cursor: 'b' });
    expect(readdirSync(join(file.path, '..'))).toEqual(['source.json']);
  });

  it('says how to recover from a damaged checkpoint, and loadOr starts over instead', () => {
    const file = new CheckpointFile<{ cursor: string }>(fresh());
    file.save({ cursor: 'a' });
    writeFileSync(file.path, '{"cursor":');
    expect(() => file.load()).toThrow(/is not valid JSON .*delete it to start over/);
    const reports: string[] = [];
    expect(file.loadOr((message) => reports.push(message))).toBeUndefined();
    expect(reports[0]).toMatch(/starting over$/);
  });
});
