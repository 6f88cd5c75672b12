import { type CompiledCondition, type ConditionCache, conditionBuilder, ImportedCondition } from '../../condition.js';
import { compileRule, type CompiledRule } from '../../rule.js';
import type { RuleSpec } from '../../rule-schema.js';
import type { FormatResult, LoadNote, RuleFormatHandler, RuleSource } from '../rule-format.js';
import { correlationSpec } from './correlation.js';
import { SigmaDetectionCompiler } from './detection.js';
import { mappingFor, type SigmaLogsourceMapping } from './field-mapping.js';
import { commonSpec, metaOf, ruleIdOf, type SigmaCompiledDetection } from './rule-spec.js';
import { looksLikeSigma, readSigmaDocument, type SigmaCorrelationRule, type SigmaDetectionRule, type SigmaDocument } from './sigma-document.js';

/**
 * Sigma rules (one or several YAML documents a file), run as written: each detection rule keeps
 * its `id`, `title` and `author`; correlation rules become Vigil threshold and sequence rules
 * over the rules they name. A rule that cannot match (a log source Vigil does not collect, a
 * field its events never carry, a value of a type they never have) still loads and is reported.
 */
export const sigmaFormat: RuleFormatHandler = {
  name: 'sigma',
  recognizes: (documents) => documents.length > 0 && documents.every(looksLikeSigma),
  compile: compileSigmaFiles,
};

function compileSigmaFiles(files: readonly RuleSource[], cache: ConditionCache): FormatResult {
  const problems: string[] = [];
  const documents: SigmaDocument[] = [];
  for (const file of files) {
    file.documents.forEach((document, index) => {
      const where = file.documents.length > 1 ? `${file.path}: document #${index + 1}` : file.path;
      try {
        documents.push(readSigmaDocument(document, where, file.path));
      } catch (error) {
        problems.push((error as Error).message);
      }
    });
  }
  const builder = conditionBuilder(cache);
  const notes: LoadNote[] = [];
  const detections = new Map<string, SigmaCompiledDetection>();
  const correlations = documents.filter((document): document is SigmaCorrelationRule => document.kind === 'correlation');
  const rules: CompiledRule[] = [];
  const byKey = new Map<string, CompiledRule>();
  for (const document of documents) {
    if (document.kind !== 'detection') continue;
    try {
      const mapping = mappingFor(document.logsource);
      const compiler = mapping === undefined ? undefined : new SigmaDetectionCompiler(builder, mapping);
      const condition = compiler === undefined ? builder.never : compiler.compile(document);
      const detection = { rule: document, condition, mapping };
      const compiled = compileDetection(document, condition, mapping, cache);
      for (const key of [document.id, document.name]) {
        if (key === undefined) continue;
        detections.set(key, detection);
        byKey.set(key, compiled);
      }
      rules.push(compiled);
      notes.push(...cannotMatchNotes(document, condition, mapping, compiler?.impossible ?? []));
    } catch (error) {
      problems.push(`${document.where}: rule ${ruleIdOf(document)}: ${(error as Error).message}`);
    }
  }
  for (const correlation of correlations) {
    try {
      const result = correlationSpec(correlation, detections, builder);
      rules.push(compileRule(result.spec, new Map(), correlation.origin, 'sigma', cache, { resolveField: result.resolveField, meta: metaOf(correlation) }));
      if (result.cannotMatch !== undefined) notes.push({ kind: 'cannot-match', origin: correlation.origin, rule: result.spec.id, message: result.cannotMatch });
      else if (!correlation.generate) {
        // Without `generate: true` the named rules only feed the correlation (they stay on when it cannot fire).
        for (const name of correlation.rules) {
          const base = byKey.get(name);
          if (base !== undefined) base.enabled = false;
        }
      }
    } catch (error) {
      problems.push(`${correlation.where}: rule ${ruleIdOf(correlation)}: ${(error as Error).message}`);
    }
  }
  return { rules, notes, problems };
}

function compileDetection(rule: SigmaDetectionRule, condition: CompiledCondition, mapping: SigmaLogsourceMapping | undefined, cache: ConditionCache): CompiledRule {
  const spec: RuleSpec = {
    ...commonSpec(rule),
    source: mapping === undefined ? [] : [...mapping.sources],
    match: new ImportedCondition(condition),
  };
  return compileRule(spec, new Map(), rule.origin, 'sigma', cache, { meta: metaOf(rule) });
}

function cannotMatchNotes(rule: SigmaDetectionRule, condition: CompiledCondition, mapping: SigmaLogsourceMapping | undefined, impossible: readonly string[]): LoadNote[] {
  const base = { origin: rule.origin, rule: ruleIdOf(rule) };
  if (mapping === undefined) {
    const { category, product, service } = rule.logsource;
    const named = Object.entries({ category, product, service }).filter(([, value]) => value !== undefined).map(([key, value]) => `${key} ${value}`).join(', ');
    return [{ ...base, kind: 'cannot-match', message: `logsource ${named || '(empty)'} is not a log Vigil reads (it reads product kubernetes/service audit and product gcp/service gcp.audit)` }];
  }
  if (condition.signature === 'false') return [{ ...base, kind: 'cannot-match', message: `never matches: ${impossible.join('; ') || 'its condition is always false'}` }];
  return impossible.map((reason) => ({ ...base, kind: 'warning' as const, message: `part of the rule can never match: ${reason}` }));
}

