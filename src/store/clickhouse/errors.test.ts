import { describe, expect, it } from 'vitest';
import { ClickHouseStoreError, classifyError } from './errors.js';

describe('classifyError', () => {
  it('reads the code from an 18.16 error body and calls too many parts retryable', () => {
    const error = classifyError(new Error('Code: 252, e.displayText() = DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts., e.what() = DB::Exception'), 'inserting 10 events');
    expect(error).toBeInstanceOf(ClickHouseStoreError);
    expect(error).toMatchObject({ code: 252, retryable: true });
    expect(error.message).toBe('ClickHouse failed inserting 10 events: Code: 252, Too many parts (300). Merges are processing significantly slower than inserts. (retry after a back-off)');
  });

  it('calls a parse error a data error even when it came as HTTP 500', () => {
    const error = classifyError(new Error('Code: 26, e.displayText() = DB::Exception: Cannot parse JSON string: expected opening quote: (at row 1)\n, e.what() = DB::Exception'), 'inserting');
    expect(error).toMatchObject({ code: 26, retryable: false });
    expect(error.message).toContain('fix the data or the schema');
  });

  it('reads the code current servers and the client report', () => {
    expect(classifyError(Object.assign(new Error('Too many parts'), { code: '252' }), 'x')).toMatchObject({ code: 252, retryable: true });
    expect(classifyError(new Error('Code: 60. DB::Exception: Table vigil.nope does not exist. (UNKNOWN_TABLE) (version 24.8.1)'), 'x')).toMatchObject({ code: 60, retryable: false });
  });

  it('calls network failures retryable', () => {
    expect(classifyError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'x')).toMatchObject({ code: undefined, retryable: true });
    expect(classifyError(new Error('socket hang up'), 'x').retryable).toBe(true);
    expect(classifyError(new Error('something odd'), 'x').retryable).toBe(false);
  });
});
