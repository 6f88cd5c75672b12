import { describe, expect, it } from 'vitest';
import { compileWildcard } from './wildcard.js';

describe('compileWildcard', () => {
  it('matches prefixes, suffixes, substrings and exact text', () => {
    expect(compileWildcard('system:*', false)('system:node:a')).toBe(true);
    expect(compileWildcard('system:*', false)('alice')).toBe(false);
    expect(compileWildcard('*.sock', false)('/run/containerd/containerd.sock')).toBe(true);
    expect(compileWildcard('*fluent*', false)('my-fluentd')).toBe(true);
    expect(compileWildcard('/etc', false)('/etc')).toBe(true);
    expect(compileWildcard('/etc', false)('/etc/kubernetes')).toBe(false);
  });

  it('handles inner stars and ? for one character', () => {
    const match = compileWildcard('*/proxy/exec/*', false);
    expect(match('/api/v1/nodes/w1/proxy/exec/ns/pod/c')).toBe(true);
    expect(match('/api/v1/nodes/w1/proxy/metrics')).toBe(false);
    expect(compileWildcard('node-?', false)('node-1')).toBe(true);
    expect(compileWildcard('node-?', false)('node-12')).toBe(false);
  });

  it('escapes \\* and regex characters', () => {
    expect(compileWildcard('a\\*b', false)('a*b')).toBe(true);
    expect(compileWildcard('a\\*b', false)('axxb')).toBe(false);
    expect(compileWildcard('v1.2(*)', false)('v1.2(beta)')).toBe(true);
  });

  it('lowercases the pattern when matching case-insensitively (the caller lowercases the input)', () => {
    expect(compileWildcard('Curl/*', true)('curl/8.5.0')).toBe(true);
    expect(compileWildcard('Curl/*', false)('curl/8.5.0')).toBe(false);
  });
});
