import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { ConditionCache } from './condition.js';
import { recogniseFormat } from './formats/registry.js';
import type { LoadNote, RuleFormatHandler, RuleSource } from './formats/rule-format.js';
import type { CompiledRule } from './rule.js';

/** Every problem found while loading a rule set, one per line, each naming file, rule and key. */
export class RuleLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s) in rules:\n  ${problems.join('\n  ')}`);
  }
}

export interface RuleFile {
  path: string;
  text: string;
}

/** A compiled rule set and what is worth telling about it (skipped rules, rules that cannot match). */
export interface LoadedRuleSet {
  rules: CompiledRule[];
  notes: LoadNote[];
}

/** The same, with the problems that would stop it from loading instead of an exception (for lint). */
export interface RuleSetReport extends LoadedRuleSet {
  problems: string[];
}

/** `--rules builtin` names the built-in pack. */
export const BUILTIN = 'builtin';

/**
 * Reads rule files of any format (each file's format is recognised from its content), compiles
 * each format's files together in load order, and collects every problem instead of stopping at
 * the first. Vigil lists are shared by the Vigil files; Falco files override one another in order.
 */
export function inspectRuleFiles(files: readonly RuleFile[]): RuleSetReport {
  const problems: string[] = [];
  const byFormat = new Map<RuleFormatHandler, RuleSource[]>();
  for (const file of files) {
    const source = parseRuleFile(file);
    if (typeof source === 'string') {
      problems.push(source);
      continue;
    }
    const format = recogniseFormat(source.documents);
    byFormat.set(format, [...(byFormat.get(format) ?? []), source]);
  }
  const rules: CompiledRule[] = [];
  const notes: LoadNote[] = [];
  const conditions: ConditionCache = new Map();
  for (const [format, sources] of byFormat) {
    const result = format.compile(sources, conditions);
    rules.push(...result.rules);
    notes.push(...result.notes);
    problems.push(...result.problems);
  }
  problems.push(...duplicateIds(rules));
  return { rules, notes, problems };
}

/** Like `inspectRuleFiles`, but refuses a set with problems (`RuleLoadError` lists them all). */
export function compileRuleSet(files: readonly RuleFile[]): LoadedRuleSet {
  const { rules, notes, problems } = inspectRuleFiles(files);
  if (problems.length > 0) throw new RuleLoadError(problems);
  return { rules, notes };
}

export function compileRuleFiles(files: readonly RuleFile[]): CompiledRule[] {
  return compileRuleSet(files).rules;
}

function parseRuleFile(file: RuleFile): RuleSource | string {
  const documents: unknown[] = [];
  for (const document of Array.from(parseAllDocuments(file.text, { merge: true }))) {
    if (document.errors.length > 0) return `${file.path}: not valid YAML: ${document.errors[0].message.split('\n')[0]}`;
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) documents.push(value);
  }
  return { path: file.path, text: file.text, documents };
}

function duplicateIds(rules: readonly CompiledRule[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const { meta } of rules) {
    const previous = seen.get(meta.id);
    if (previous !== undefined) problems.push(`${meta.origin}: rule ${meta.id}: id is already used in ${previous}`);
    else seen.set(meta.id, meta.origin);
  }
  return problems;
}

/**
 * The rule files at a location: every `*.yaml`/`*.yml` under a directory (recursively, sorted),
 * or one file. `builtin` is the built-in pack. `label` replaces the location in messages.
 */
export function ruleFilesAt(location: string, label = location): RuleFile[] {
  if (location === BUILTIN) return ruleFilesAt(builtinRulesDir(), BUILTIN);
  const root = resolve(location);
  if (!existsSync(root)) throw new RuleLoadError([`${label}: no such rules file or directory`]);
  if (!statSync(root).isDirectory()) return [{ path: label, text: readFileSync(root, 'utf8') }];
  const paths = ruleFilesUnder(root);
  if (paths.length === 0) throw new RuleLoadError([`${label}: no .yaml or .yml rule files found`]);
  return paths.map((path) => ({ path: join(label, relative(root, path)), text: readFileSync(path, 'utf8') }));
}

function ruleFilesUnder(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...ruleFilesUnder(path));
    else if (/\.ya?ml$/.test(entry.name)) found.push(path);
  }
  return found;
}

/** Loads the rules at one location (file or directory, any format). */
export function loadRules(location: string, label = location): CompiledRule[] {
  return compileRuleFiles(ruleFilesAt(location, label));
}

/**
 * The built-in rule pack directory (`rules/` at the package root), found by walking up from this
 * module so it works from `src/` under tests and from `dist/src/` when installed.
 */
export function builtinRulesDir(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(directory, 'package.json')) && existsSync(join(directory, 'rules'))) return join(directory, 'rules');
    const parent = dirname(directory);
    if (parent === directory) throw new Error('cannot find the built-in rules directory (rules/ next to package.json)');
    directory = parent;
  }
}

/**
 * `--rules` locations, in order, as one rule set; none means the built-in pack. Naming
 * locations replaces the built-in pack unless one of them is `builtin`.
 */
export function loadRuleSets(locations: readonly string[]): LoadedRuleSet {
  return compileRuleSet(filesOfLocations(locations));
}

export function filesOfLocations(locations: readonly string[]): RuleFile[] {
  const named = locations.length === 0 ? [BUILTIN] : locations;
  const problems: string[] = [];
  const files: RuleFile[] = [];
  for (const location of named) {
    try {
      files.push(...ruleFilesAt(location));
    } catch (error) {
      if (!(error instanceof RuleLoadError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new RuleLoadError(problems);
  return files;
}

/** `--rules builtin` (the default) or a path to a rules file or directory. */
export function loadRuleSet(location: string | undefined): CompiledRule[] {
  return loadRuleSets(location === undefined ? [] : [location]).rules;
}
