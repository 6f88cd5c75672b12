import type { CompiledCondition } from '../../condition.js';
import type { CompiledField } from '../../field-access.js';
import type { RuleSpec, Severity } from '../../rule-schema.js';
import type { SigmaLogsourceMapping } from './field-mapping.js';
import type { SigmaDetectionRule, SigmaDocument } from './sigma-document.js';

/** What every Sigma rule (detection or correlation) becomes in a Vigil rule spec. */

/** A compiled detection: what correlations refer to. */
export interface SigmaCompiledDetection {
  rule: SigmaDetectionRule;
  condition: CompiledCondition;
  mapping?: SigmaLogsourceMapping;
}

const SEVERITY_OF_LEVEL: Record<string, Severity> = { informational: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' };

/** Id, title, description, severity, techniques and false positives of any Sigma rule. */
export function commonSpec(rule: SigmaDocument): Pick<RuleSpec, 'id' | 'title' | 'description' | 'severity' | 'techniques' | 'runbook' | 'enabled'> {
  return {
    id: ruleIdOf(rule),
    title: rule.title,
    description: (rule.description ?? rule.title).trim().replace(/\s+/g, ' '),
    severity: SEVERITY_OF_LEVEL[rule.level?.toLowerCase() ?? ''] ?? 'medium',
    techniques: rule.tags.map((tag) => /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag)?.[1]?.toUpperCase()).filter((id): id is string => id !== undefined),
    runbook: rule.falsepositives.length > 0 ? `Known false positives: ${rule.falsepositives.join('; ')}` : undefined,
    enabled: true,
  };
}

export function metaOf(rule: SigmaDocument): { author?: string; nativeSeverity?: string } {
  return { author: rule.author, nativeSeverity: rule.level };
}

/** The Sigma `id`; without one, the `name`, else the title in lower case. */
export function ruleIdOf(rule: SigmaDocument): string {
  return rule.id ?? rule.name ?? rule.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Sigma field names as Vigil fields, for correlation `group-by` and `field` (prefixed `sigma:`). */
export function sigmaFieldResolver(mapping: SigmaLogsourceMapping): (name: string) => CompiledField | undefined {
  return (name) => {
    if (!name.startsWith('sigma:')) return undefined;
    const sigmaName = name.slice('sigma:'.length);
    const target = mapping.field(sigmaName);
    if (target === undefined) throw new Error(`"${sigmaName}" is not a field of ${mapping.label} events`);
    return { name: sigmaName, get: target.get, kind: 'raw', canonical: `sigma:${target.path}`, multiValued: true };
  };
}
