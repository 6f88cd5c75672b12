import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { ConditionCache } from './condition.js';
import type { Scalar } from './value-tests.js';
import { compileRule, RuleError, type CompiledRule, type RuleFormat } from './rule.js';
import { describeIssues, ruleFileSchema, ruleSpecSchema, type RuleSpec } from './rule-schema.js';

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

/**
 * Parses, validates and compiles rule files. Named lists (`lists:`) are shared by all files of
 * the set. All problems are collected before failing, so one run shows every mistake.
 */
export function compileRuleFiles(files: readonly RuleFile[], format: RuleFormat = 'vigil'): CompiledRule[] {
  const problems: string[] = [];
  const lists = new Map<string, readonly Scalar[]>();
  const listOrigins = new Map<string, string>();
  const pending: Array<{ path: string; raw: unknown; position: number }> = [];
  for (const file of files) {
    let document: unknown;
    try {
      document = parseYaml(file.text, { merge: true });
    } catch (error) {
      problems.push(`${file.path}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    if (document === null || document === undefined) continue;
    const shaped = Array.isArray(document) ? { rules: document } : isSingleRule(document) ? { rules: [document] } : document;
    const parsed = ruleFileSchema.safeParse(shaped);
    if (!parsed.success) {
      problems.push(`${file.path}: ${describeIssues(parsed.error)} (a rule file holds "lists:" and "rules:", or one rule)`);
      continue;
    }
    for (const [name, items] of Object.entries(parsed.data.lists ?? {})) {
      const previous = listOrigins.get(name);
      if (previous !== undefined) problems.push(`${file.path}: list "${name}" is already defined in ${previous}`);
      lists.set(name, items);
      listOrigins.set(name, file.path);
    }
    (parsed.data.rules ?? []).forEach((raw, position) => pending.push({ path: file.path, raw, position }));
  }
  const rules: CompiledRule[] = [];
  const ids = new Map<string, string>();
  const conditions: ConditionCache = new Map();
  for (const { path, raw, position } of pending) {
    const label = ruleLabel(raw, position);
    const parsed = ruleSpecSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(`${path}: rule ${label}: ${describeIssues(parsed.error)}`);
      continue;
    }
    const previous = ids.get(parsed.data.id);
    if (previous !== undefined) {
      problems.push(`${path}: rule ${label}: id is already used in ${previous}`);
      continue;
    }
    ids.set(parsed.data.id, path);
    try {
      rules.push(compileRule(parsed.data as RuleSpec, lists, path, format, conditions));
    } catch (error) {
      if (error instanceof RuleError) problems.push(error.message);
      else problems.push(`${path}: rule ${label}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new RuleLoadError(problems);
  return rules;
}

function isSingleRule(document: unknown): boolean {
  return typeof document === 'object' && document !== null && 'id' in document && !('rules' in document);
}

function ruleLabel(raw: unknown, position: number): string {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : `#${position + 1} (no id)`;
}

/**
 * Loads every `*.yaml`/`*.yml` under a directory (recursively), or one file. `label` replaces
 * the location in messages (e.g. `builtin`).
 */
export function loadRules(location: string, label = location): CompiledRule[] {
  const root = resolve(location);
  if (!existsSync(root)) throw new RuleLoadError([`${label}: no such rules file or directory`]);
  if (!statSync(root).isDirectory()) return compileRuleFiles([{ path: label, text: readFileSync(root, 'utf8') }]);
  const paths = ruleFilesUnder(root);
  if (paths.length === 0) throw new RuleLoadError([`${label}: no .yaml or .yml rule files found`]);
  return compileRuleFiles(paths.map((path) => ({ path: join(label, relative(root, path)), text: readFileSync(path, 'utf8') })));
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

/** `--rules builtin` (the default) or a path to a rules file or directory. */
export function loadRuleSet(location: string | undefined): CompiledRule[] {
  if (location === undefined || location === 'builtin') return loadRules(builtinRulesDir(), 'builtin');
  return loadRules(location);
}
