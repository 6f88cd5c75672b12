import type { ConditionCache } from '../condition.js';
import type { Scalar } from '../value-tests.js';
import { compileRule, RuleError, type CompiledRule } from '../rule.js';
import { describeIssues, ruleFileSchema, ruleSpecSchema, type RuleSpec } from '../rule-schema.js';
import type { FormatResult, RuleFormatHandler, RuleSource } from './rule-format.js';

/**
 * Vigil's own YAML rules (rules/README.md): a file of `lists:` and `rules:`, a list of rules or
 * one rule. Named lists are shared by every Vigil file of the set. This format takes every file
 * no other format recognises, so its messages explain what a rule file should hold.
 */
export const vigilFormat: RuleFormatHandler = {
  name: 'vigil',
  recognizes: () => true,
  compile: compileVigilFiles,
};

function compileVigilFiles(files: readonly RuleSource[], cache: ConditionCache): FormatResult {
  const problems: string[] = [];
  const lists = new Map<string, readonly Scalar[]>();
  const listOrigins = new Map<string, string>();
  const pending: Array<{ path: string; raw: unknown; position: number }> = [];
  for (const file of files) {
    if (file.documents.length > 1) {
      problems.push(`${file.path}: holds ${file.documents.length} YAML documents; a Vigil rule file holds one (Sigma files may hold several)`);
      continue;
    }
    const document = file.documents[0];
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
      rules.push(compileRule(parsed.data as RuleSpec, lists, path, 'vigil', cache));
    } catch (error) {
      if (error instanceof RuleError) problems.push(error.message);
      else problems.push(`${path}: rule ${label}: ${(error as Error).message}`);
    }
  }
  return { rules, notes: [], problems };
}

function isSingleRule(document: unknown): boolean {
  return typeof document === 'object' && document !== null && 'id' in document && !('rules' in document);
}

function ruleLabel(raw: unknown, position: number): string {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : `#${position + 1} (no id)`;
}
