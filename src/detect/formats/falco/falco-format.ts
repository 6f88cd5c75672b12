import { type ConditionCache, conditionBuilder, ImportedCondition } from '../../condition.js';
import type { CompiledField } from '../../field-access.js';
import { compileRule, type CompiledRule } from '../../rule.js';
import type { RuleSpec } from '../../rule-schema.js';
import { AUDIT_EVENT_SOURCES, type FormatResult, type LoadNote, type RuleFormatHandler, type RuleSource } from '../rule-format.js';
import { FalcoConditionCompiler } from './compile-condition.js';
import { falcoField } from './fields.js';
import { canonicalPriority, severityOfPriority } from './priority.js';
import { type FalcoItem, looksLikeFalcoRules, readFalcoRulesFile } from './rules-file.js';
import { type FalcoRule, mergeFalcoItems } from './rule-set.js';

/** The only Falco source Vigil runs: Kubernetes audit events. */
const FALCO_SOURCE = 'k8s_audit';

/**
 * Falco rules files (`- rule:`, `- macro:`, `- list:` items). All Falco files of a rule set are
 * merged in load order first, so later files override and append to earlier ones; then each
 * `source: k8s_audit` rule compiles with its name as id and title. Rules of other sources are
 * skipped with a count.
 */
export const falcoFormat: RuleFormatHandler = {
  name: 'falco',
  recognizes: (documents) => documents.length === 1 && looksLikeFalcoRules(documents[0]),
  compile: compileFalcoFiles,
};

function compileFalcoFiles(files: readonly RuleSource[], cache: ConditionCache): FormatResult {
  const problems: string[] = [];
  const items: FalcoItem[] = [];
  for (const file of files) {
    try {
      items.push(...readFalcoRulesFile(file.path, file.text));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const set = mergeFalcoItems(items);
  problems.push(...set.problems);
  const notes: LoadNote[] = set.warnings.map((message) => ({ kind: 'warning', origin: message.split(':')[0], message }));
  const compiler = new FalcoConditionCompiler(set, conditionBuilder(cache));
  const rules: CompiledRule[] = [];
  const skipped = new Map<string, { count: number; origin: string }>();
  for (const rule of set.rules.values()) {
    if (rule.source !== FALCO_SOURCE) {
      const entry = skipped.get(rule.source) ?? { count: 0, origin: rule.origin };
      entry.count++;
      skipped.set(rule.source, entry);
      continue;
    }
    try {
      const { compiled, note } = compileFalcoRule(rule, compiler, cache);
      rules.push(compiled);
      if (note !== undefined) notes.push(note);
    } catch (error) {
      problems.push(`${rule.where}: ${(error as Error).message}`);
    }
  }
  for (const [source, { count, origin }] of skipped) {
    notes.push({ kind: 'skipped', origin, message: `${count} rule(s) of source "${source}" skipped: Vigil runs Falco rules of source ${FALCO_SOURCE} only` });
  }
  return { rules, notes, problems };
}

function compileFalcoRule(rule: FalcoRule, compiler: FalcoConditionCompiler, cache: ConditionCache): { compiled: CompiledRule; note?: LoadNote } {
  const severity = severityOfPriority(rule.priority);
  if (severity === undefined) throw new Error(`priority: unknown priority "${rule.priority}"; use EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFORMATIONAL or DEBUG`);
  let condition;
  try {
    condition = compiler.compileRule(rule.condition, rule.exceptions);
  } catch (error) {
    throw new Error(`condition: ${(error as Error).message}`);
  }
  const spec: RuleSpec = {
    id: rule.name,
    title: rule.name,
    description: rule.desc === '' ? rule.name : rule.desc.replace(/\s+/g, ' '),
    severity,
    techniques: rule.tags.map((tag) => tag.toUpperCase()).filter((tag) => /^T\d{4}(\.\d{3})?$/.test(tag)),
    enabled: rule.enabled,
    source: [...AUDIT_EVENT_SOURCES],
    match: new ImportedCondition(condition.condition),
    summary: summaryOfOutput(rule.output),
  };
  const compiled = compileRule(spec, new Map(), rule.origin, 'falco', cache, {
    resolveField: falcoSummaryField,
    meta: { nativeSeverity: canonicalPriority(rule.priority) },
  });
  if (condition.condition.signature !== 'false') return { compiled };
  const because = condition.constantMacros.length > 0 ? ` (constant macros: ${condition.constantMacros.join(', ')})` : '';
  return {
    compiled,
    note: { kind: 'cannot-match', origin: rule.origin, rule: rule.name, message: `never fires: its condition is always false with the loaded macros and lists${because}` },
  };
}

/**
 * Falco's `output` as a Vigil summary: `%ka.user.name` becomes `{ka.user.name}`; fields Vigil
 * does not read print as `<NA>`, as Falco prints unset fields; braces become parentheses.
 */
export function summaryOfOutput(output: string): string {
  const text = output.replace(/\s+/g, ' ').trim().replace(/\{/g, '(').replace(/\}/g, ')');
  return text.replace(/%([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*(?:\[[^\]]*\])?)/g, (_whole, name: string) => (falcoSummaryField(name) === undefined ? '<NA>' : `{${name}}`));
}

/** A `ka.*` / `jevt.*` name as a Vigil field, for summaries; undefined for other names. */
export function falcoSummaryField(name: string): CompiledField | undefined {
  const match = /^([^[\]]+)(?:\[(.*)\])?$/.exec(name);
  if (match === null) return undefined;
  try {
    const field = falcoField(match[1], match[2]);
    return { name, get: field.extract, kind: 'derived', canonical: name, multiValued: field.list };
  } catch {
    return undefined;
  }
}
