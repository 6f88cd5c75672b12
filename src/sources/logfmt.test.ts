import { describe, expect, it } from 'vitest';
import { goStringSlice, parseLogfmt } from './logfmt.js';

describe('parseLogfmt', () => {
  it('reads bare and quoted values of an EKS authenticator line, with Go escapes', () => {
    const line =
      'time="2026-03-02T10:00:00Z" level=info msg="access granted" arn="arn:aws:iam::111122223333:user/alice" groups="[system:masters]" path=/authenticate note="say \\"hi\\"\\n"';
    expect(parseLogfmt(line)).toEqual({
      time: '2026-03-02T10:00:00Z',
      level: 'info',
      msg: 'access granted',
      arn: 'arn:aws:iam::111122223333:user/alice',
      groups: '[system:masters]',
      path: '/authenticate',
      note: 'say "hi"\n',
    });
  });

  it('keeps empty values and a value with an escape JSON does not know', () => {
    expect(parseLogfmt('session= error="bad \\x00 byte"')).toEqual({ session: '', error: 'bad \\x00 byte' });
  });

  it('refuses text that is not key=value pairs', () => {
    expect(parseLogfmt('I0302 10:00:03.000123  11 dispatcher.go:205] Failed calling webhook')).toBeUndefined();
    expect(parseLogfmt('msg="never closed')).toBeUndefined();
    expect(parseLogfmt('   ')).toBeUndefined();
  });
});

describe('goStringSlice', () => {
  it('reads fmt-printed string slices', () => {
    expect(goStringSlice('[system:masters system:nodes]')).toEqual(['system:masters', 'system:nodes']);
    expect(goStringSlice('[]')).toEqual([]);
    expect(goStringSlice('system:masters')).toBeUndefined();
    expect(goStringSlice(undefined)).toBeUndefined();
  });
});
