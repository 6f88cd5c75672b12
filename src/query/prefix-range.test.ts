import { describe, expect, it } from 'vitest';
import { prefixUpperBound } from './prefix-range.js';

describe('prefixUpperBound', () => {
  it('increments the last character', () => {
    expect(prefixUpperBound('adm')).toBe('adn');
    expect(prefixUpperBound('system:')).toBe('system;');
  });

  it('steps over the surrogate range and handles astral characters by code point', () => {
    expect(prefixUpperBound('a\ud7ff')).toBe('a\ue000');
    expect(prefixUpperBound('a😀')).toBe('a😁');
  });

  it('drops characters that cannot be incremented, and gives up when none can', () => {
    expect(prefixUpperBound('a\u{10ffff}')).toBe('b');
    expect(prefixUpperBound('\u{10ffff}\u{10ffff}')).toBeUndefined();
  });

  it('bounds exactly the strings with the prefix in UTF-8 byte order', () => {
    const prefix = 'ké';
    const upper = prefixUpperBound(prefix) as string;
    const utf8 = (text: string) => Buffer.from(text, 'utf8');
    const inRange = (text: string) => Buffer.compare(utf8(text), utf8(prefix)) >= 0 && Buffer.compare(utf8(text), utf8(upper)) < 0;
    for (const text of ['ké', 'kéz', 'ké\u{10ffff}', 'ké😀']) expect(inRange(text)).toBe(true);
    for (const text of ['kd', 'kf', 'kê', 'k', 'kè']) expect(inRange(text)).toBe(false);
  });
});
