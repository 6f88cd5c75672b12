import type { ConditionCache } from '../condition.js';
import type { CompiledRule, RuleFormat } from '../rule.js';

/** A rule file as read: its text and its YAML documents (parsed once, for recognition). */
export interface RuleSource {
  path: string;
  text: string;
  documents: readonly unknown[];
}

/**
 * Something worth telling about a loaded rule set that does not stop it from loading:
 * rules skipped on purpose (Falco rules of another source), rules that cannot match any event
 * (reported by `vigil rules lint`), and leniencies.
 */
export interface LoadNote {
  kind: 'skipped' | 'cannot-match' | 'warning';
  origin: string;
  rule?: string;
  message: string;
}

export interface FormatResult {
  rules: CompiledRule[];
  notes: LoadNote[];
  /** Mistakes that stop the rule set from loading, each naming file, rule and key. */
  problems: string[];
}

/**
 * A rule format Vigil reads. Every format compiles into the one rule model (`CompiledRule`),
 * sharing the condition cache of the whole set, so identical checks run once per event.
 */
export interface RuleFormatHandler {
  readonly name: RuleFormat;
  /** True when a file's YAML documents are written in this format. */
  recognizes(documents: readonly unknown[]): boolean;
  /** Compiles every file of this format in a rule set, in load order. */
  compile(files: readonly RuleSource[], cache: ConditionCache): FormatResult;
}

/**
 * The source of rules written for Kubernetes audit Events. A `k8s.audit` rule also runs on the
 * audit records of EKS, GKE and AKS (source-family.ts), so this one source covers them all.
 */
export const AUDIT_EVENT_SOURCES = ['k8s.audit'] as const;
