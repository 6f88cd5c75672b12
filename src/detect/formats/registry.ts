import type { RuleFormat } from '../rule.js';
import { falcoFormat } from './falco/falco-format.js';
import type { RuleFormatHandler } from './rule-format.js';
import { sigmaFormat } from './sigma/sigma-format.js';
import { vigilFormat } from './vigil-format.js';

/** Every rule format, asked in this order which one a file is written in; Vigil's own takes the rest. */
export const RULE_FORMATS: readonly RuleFormatHandler[] = [falcoFormat, sigmaFormat, vigilFormat];

export const FORMAT_NAMES: readonly RuleFormat[] = RULE_FORMATS.map((format) => format.name);

export function recogniseFormat(documents: readonly unknown[]): RuleFormatHandler {
  return RULE_FORMATS.find((format) => format.recognizes(documents)) ?? vigilFormat;
}
