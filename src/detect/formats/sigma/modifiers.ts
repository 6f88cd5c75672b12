import { CidrSet } from '../../cidr.js';
import { compileWildcard } from '../../wildcard.js';

/**
 * Sigma value modifiers (sigma-appendix-modifiers.md): how `field|mod1|mod2: value` turns into
 * tests of one event value. Values compare as case-insensitive text by default, with `*` and
 * `?` wildcards and `\` escapes; numbers and booleans compare by their text.
 */

const TRANSFORMS = ['base64', 'base64offset', 'utf16le', 'utf16be', 'utf16', 'wide', 'windash'] as const;
const MATCHERS = ['contains', 'startswith', 'endswith', 're', 'cidr', 'lt', 'lte', 'gt', 'gte', 'exists'] as const;
/** Valid Sigma, but needing what Vigil does not have (placeholder pipelines, time parts). */
const UNSUPPORTED = ['expand', 'minute', 'hour', 'day', 'week', 'month', 'year'] as const;

type Matcher = (typeof MATCHERS)[number];

export interface ParsedModifiers {
  transforms: string[];
  matcher?: Matcher;
  /** The values name other fields, whose values are compared instead. */
  fieldref: boolean;
  all: boolean;
  cased: boolean;
  neq: boolean;
  regexFlags: string;
  unsupported: string[];
}

export function parseModifiers(modifiers: readonly string[], key: string): ParsedModifiers {
  const parsed: ParsedModifiers = { transforms: [], fieldref: false, all: false, cased: false, neq: false, regexFlags: '', unsupported: [] };
  for (const modifier of modifiers) {
    if ((TRANSFORMS as readonly string[]).includes(modifier)) parsed.transforms.push(modifier);
    else if ((MATCHERS as readonly string[]).includes(modifier)) {
      if (parsed.matcher !== undefined) throw new Error(`${key}: modifiers |${parsed.matcher} and |${modifier} cannot be combined`);
      parsed.matcher = modifier as Matcher;
    } else if (modifier === 'fieldref') parsed.fieldref = true;
    else if (modifier === 'all') parsed.all = true;
    else if (modifier === 'cased') parsed.cased = true;
    else if (modifier === 'neq') parsed.neq = true;
    else if (modifier === 'i' || modifier === 'm' || modifier === 's') {
      if (parsed.matcher !== 're') throw new Error(`${key}: |${modifier} only follows |re`);
      parsed.regexFlags += modifier;
    } else if ((UNSUPPORTED as readonly string[]).includes(modifier)) parsed.unsupported.push(modifier);
    else throw new Error(`${key}: unknown modifier |${modifier}`);
  }
  if (parsed.fieldref && parsed.matcher !== undefined && !['contains', 'startswith', 'endswith'].includes(parsed.matcher)) {
    throw new Error(`${key}: |fieldref combines only with |contains, |startswith or |endswith`);
  }
  return parsed;
}

/** One event value under test: text, a number, a boolean; objects and null never match a value. */
export type ValueTest = (value: unknown) => boolean;

export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Wildcard patterns for one rule value after the transforms (windash and base64offset give
 * several) and `contains` / `startswith` / `endswith` wrapping.
 */
export function patternsOf(value: string | number | boolean, modifiers: ParsedModifiers): string[] {
  let texts = [String(value)];
  for (const transform of modifiers.transforms) texts = texts.flatMap((text) => transformed(text, transform));
  const matcher = modifiers.matcher;
  return texts.map((text) => (matcher === 'contains' ? `*${text}*` : matcher === 'startswith' ? `${text}*` : matcher === 'endswith' ? `*${text}` : text));
}

function transformed(text: string, transform: string): string[] {
  switch (transform) {
    case 'base64':
      return [Buffer.from(text, 'latin1').toString('base64')];
    case 'base64offset':
      return base64Offsets(text);
    case 'utf16le':
    case 'wide':
      return [Buffer.from(text, 'utf16le').toString('latin1')];
    case 'utf16be':
      return [Buffer.from(text, 'utf16le').swap16().toString('latin1')];
    case 'utf16':
      return [`\u00ff\u00fe${Buffer.from(text, 'utf16le').toString('latin1')}`];
    case 'windash':
      return ['-', '/', '\u2013', '\u2014', '\u2015'].map((dash) => text.replace(/(^|\s)-/g, `$1${dash}`));
    default:
      throw new Error(`unknown transform ${transform}`);
  }
}

/** The three base64 forms of a text at byte offsets 0, 1, 2 of a longer encoded string, cut to the stable part. */
function base64Offsets(text: string): string[] {
  const bytes = Buffer.from(text, 'latin1');
  const starts = [0, 2, 3];
  const ends = [0, 3, 2];
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const tail = ends[(bytes.length + offset) % 3];
    return encoded.slice(starts[offset], tail === 0 ? undefined : -tail);
  });
}

/** A case-insensitive (unless `cased`) wildcard test over the value's text. */
export function wildcardTest(patterns: readonly string[], cased: boolean): ValueTest {
  const tests = patterns.map((pattern) => compileWildcard(pattern, !cased));
  return (value) => {
    const text = textOf(value);
    if (text === undefined) return false;
    const subject = cased ? text : text.toLowerCase();
    for (const test of tests) if (test(subject)) return true;
    return false;
  };
}

export function regexTest(patterns: readonly string[], flags: string): ValueTest {
  const regexes = patterns.map((pattern) => {
    try {
      return new RegExp(pattern, flags);
    } catch (error) {
      throw new Error(`invalid regular expression /${pattern}/: ${(error as Error).message}`);
    }
  });
  return (value) => {
    const text = textOf(value);
    return text !== undefined && regexes.some((regex) => regex.test(text));
  };
}

export function cidrTest(ranges: readonly string[]): ValueTest {
  const set = new CidrSet(ranges);
  return (value) => typeof value === 'string' && set.has(value);
}

export function numericTest(matcher: 'lt' | 'lte' | 'gt' | 'gte', bound: number): ValueTest {
  return (value) => {
    const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    if (Number.isNaN(number)) return false;
    return matcher === 'lt' ? number < bound : matcher === 'lte' ? number <= bound : matcher === 'gt' ? number > bound : number >= bound;
  };
}

/** Whether a pattern could ever match the text of a number (digits, sign, point, exponent). */
export function couldMatchNumber(pattern: string): boolean {
  const literal = pattern.replace(/\\[*?\\]|[*?]/g, (token) => (token.length === 2 ? token[1] : ''));
  return /^[-+0-9.eE]*$/.test(literal) && (/[*?]/.test(pattern.replace(/\\[*?\\]/g, '')) || /^-?\d+(\.\d+)?$/.test(literal));
}
