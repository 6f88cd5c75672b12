import { describe, expect, it } from 'vitest';
import { couldMatchNumber, parseModifiers, patternsOf, wildcardTest } from './modifiers.js';

const patterns = (value: string, ...modifiers: string[]) => patternsOf(value, parseModifiers(modifiers, 'f'));

describe('Sigma modifiers', () => {
  it('wrap values for contains, startswith and endswith, keeping escapes', () => {
    expect(patterns('/bin/sh', 'contains')).toEqual(['*/bin/sh*']);
    expect(patterns('kube', 'startswith')).toEqual(['kube*']);
    expect(patterns('\\*', 'endswith')).toEqual(['*\\*']);
  });

  it('encode base64 and the three base64offset forms', () => {
    expect(patterns('foo', 'base64')).toEqual(['Zm9v']);
    // The forms Sigma's own tools produce for "/bin/sh" at offsets 0, 1 and 2.
    expect(patterns('/bin/sh', 'base64offset', 'contains')).toEqual(['*L2Jpbi9za*', '*9iaW4vc2*', '*vYmluL3No*']);
  });

  it('give every dash variant for windash', () => {
    expect(patterns('cmd -enc x', 'windash')).toEqual(['cmd -enc x', 'cmd /enc x', 'cmd \u2013enc x', 'cmd \u2014enc x', 'cmd \u2015enc x']);
  });

  it('match case-insensitively unless cased, with * and ? and \\ escapes', () => {
    const test = wildcardTest(['system:serviceaccount:*:default', 'a\\*b'], false);
    expect(test('SYSTEM:serviceaccount:shop:default')).toBe(true);
    expect(test('a*b')).toBe(true);
    expect(test('axb')).toBe(false);
    expect(test(403)).toBe(false);
    expect(wildcardTest(['40?'], false)(403)).toBe(true);
    expect(wildcardTest(['Get'], true)('get')).toBe(false);
  });

  it('refuse unknown or clashing modifiers and flags out of place', () => {
    expect(() => parseModifiers(['contain'], 'sel.f|contain')).toThrow('sel.f|contain: unknown modifier |contain');
    expect(() => parseModifiers(['contains', 'startswith'], 'k')).toThrow(/cannot be combined/);
    expect(() => parseModifiers(['i'], 'k')).toThrow(/only follows \|re/);
    expect(parseModifiers(['expand'], 'k').unsupported).toEqual(['expand']);
  });

  it('know which patterns could match the text of a number', () => {
    expect(couldMatchNumber('403')).toBe(true);
    expect(couldMatchNumber('4*')).toBe(true);
    expect(couldMatchNumber('ALLOW')).toBe(false);
    expect(couldMatchNumber('*allow*')).toBe(false);
  });
});
