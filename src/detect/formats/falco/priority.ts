import type { Severity } from '../../rule-schema.js';

/** Falco priorities (with the INFO alias) and the Vigil severity each becomes (README.md). */
const SEVERITY_OF_PRIORITY: Record<string, Severity> = {
  EMERGENCY: 'critical',
  ALERT: 'critical',
  CRITICAL: 'critical',
  ERROR: 'high',
  WARNING: 'medium',
  NOTICE: 'low',
  INFORMATIONAL: 'info',
  DEBUG: 'info',
};

/** The priority as Falco names it: upper case, INFO spelled INFORMATIONAL. */
export function canonicalPriority(priority: string): string | undefined {
  const upper = priority.trim().toUpperCase();
  const canonical = upper === 'INFO' ? 'INFORMATIONAL' : upper;
  return canonical in SEVERITY_OF_PRIORITY ? canonical : undefined;
}

export function severityOfPriority(priority: string): Severity | undefined {
  const canonical = canonicalPriority(priority);
  return canonical === undefined ? undefined : SEVERITY_OF_PRIORITY[canonical];
}
