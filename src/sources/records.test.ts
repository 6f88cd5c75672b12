import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type RawRecord, readRecords } from './records.js';

async function readAll(content: string | Buffer, limits = { maxRecordBytes: 1 << 20, maxDocumentBytes: 1 << 24 }): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  const stream = Readable.from([typeof content === 'string' ? Buffer.from(content) : content]);
  for await (const batch of readRecords(stream, 'in', limits)) out.push(...batch);
  return out;
}

const values = (records: RawRecord[]) => records.map((r) => (r.ok ? r.value : { bad: r.reason, at: r.position }));

describe('readRecords', () => {
  it('reads JSON lines, keeping a malformed line apart from its neighbours', async () => {
    const records = await readAll('{"a":1}\n{"a":\n{"a":3}\r\n\n');
    expect(records.filter((r) => r.ok).map((r) => (r.ok ? r.value : null))).toEqual([{ a: 1 }, { a: 3 }]);
    const bad = records.find((r) => !r.ok);
    expect(bad).toMatchObject({ ok: false, position: 'in:2' });
    expect(bad && !bad.ok && bad.reason).toMatch(/malformed JSON/);
  });

  it('keeps the line text verbatim for storing', async () => {
    const [record] = await readAll('{"b": 2,  "a":1}\n');
    expect(record).toMatchObject({ ok: true, text: '{"b": 2,  "a":1}' });
  });

  it('reads a pretty-printed sequence of objects with line positions', async () => {
    const records = await readAll('{\n  "a": 1\n}\n{\n  "a": "}{"\n}\n');
    expect(values(records)).toEqual([{ a: 1 }, { a: '}{' }]);
    expect(records.map((r) => r.position)).toEqual(['in:1', 'in:4']);
  });

  it('unwraps a top-level JSON array and quarantines a broken element only', async () => {
    const records = await readAll('[\n {"a":1},\n {"a": tru},\n {"a":3}\n]\n');
    expect(records.filter((r) => r.ok).map((r) => (r.ok ? r.value : null))).toEqual([{ a: 1 }, { a: 3 }]);
    expect(records.filter((r) => !r.ok)).toHaveLength(1);
  });

  it('reports a truncated document', async () => {
    const records = await readAll('{\n "a": 1\n}\n{\n "b": [1,\n');
    expect(records[0]).toMatchObject({ ok: true, value: { a: 1 } });
    expect(records[1]).toMatchObject({ ok: false, position: 'in:4' });
  });

  it('quarantines an oversized line with a bounded sample and reads the next one', async () => {
    const big = `{"x":"${'y'.repeat(10_000)}"}`;
    const records = await readAll(`${big}\n{"a":2}\n`, { maxRecordBytes: 1000, maxDocumentBytes: 1 << 20 });
    expect(records[0]).toMatchObject({ ok: false, position: 'in:1' });
    expect(!records[0].ok && records[0].reason).toMatch(/10008 bytes exceeds/);
    expect(!records[0].ok && records[0].sample.length).toBeLessThanOrEqual(4096);
    expect(records[1]).toMatchObject({ ok: true, value: { a: 2 } });
  });

  it('quarantines invalid UTF-8 but accepts a real U+FFFD character', async () => {
    const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n{"a":"\uFFFD"}\n')]);
    const records = await readAll(bad);
    expect(records[0]).toMatchObject({ ok: false, reason: 'invalid UTF-8' });
    expect(records[1]).toMatchObject({ ok: true, value: { a: '\uFFFD' } });
  });

  it('handles a last line without newline and a line split across chunks', async () => {
    const stream = Readable.from([Buffer.from('{"a":1}\n{"a"'), Buffer.from(':2}\n{"a":3}')]);
    const out: RawRecord[] = [];
    for await (const batch of readRecords(stream, 'in')) out.push(...batch);
    expect(values(out)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });
});
