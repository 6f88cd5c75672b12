/** Audit levels and stages of `audit.k8s.io/v1` (kubernetes/apiserver pkg/apis/audit/v1/types.go). */

export const AUDIT_LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export const AUDIT_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type AuditStage = (typeof AUDIT_STAGES)[number];

/** The stages an audit event can be written at for a normal request (Panic only on a crash). */
export const REQUEST_STAGES: readonly AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete'];

/** True when `level` records at least what `needed` records (levels are cumulative). */
export function levelAtLeast(level: AuditLevel, needed: AuditLevel): boolean {
  return AUDIT_LEVELS.indexOf(level) >= AUDIT_LEVELS.indexOf(needed);
}

export function higherLevel(a: AuditLevel, b: AuditLevel): AuditLevel {
  return levelAtLeast(a, b) ? a : b;
}
