import { SOURCE_KINDS, type SourceKind, type VigilEvent } from '../model/event.js';
import type { CompiledRule } from './rule.js';

/**
 * Managed control planes deliver the same Kubernetes audit Events as a self-run API server
 * (EKS and AKS verbatim, GKE rebuilt from its Cloud Audit Logs entries). A rule written for
 * `k8s.audit` therefore also runs on their audit records — not on their other logs, such as EKS
 * authenticator lines — so one rule pack covers kind, EKS, GKE and AKS alike.
 */
const CLOUD_AUDIT_SOURCES: ReadonlySet<SourceKind> = new Set<SourceKind>(['cloud.eks', 'cloud.gke', 'cloud.aks']);

/** The index key of a cloud source's audit records, apart from its other records. */
const auditKeyOf = (source: SourceKind): string => `${source}/audit`;

/** The key an event's candidate rules are filed under: its source, or its source's audit records. */
export function indexKeyOf(event: VigilEvent): string {
  return event.auditId !== undefined && CLOUD_AUDIT_SOURCES.has(event.source) ? auditKeyOf(event.source) : event.source;
}

/**
 * The keys a rule is filed under: its sources, their audit records, and for a `k8s.audit` rule
 * the cloud sources' audit records. Absence rules watch one stream's liveness, so they keep
 * exactly the sources they name.
 */
export function indexKeysOf(rule: CompiledRule): string[] {
  const keys = new Set<string>();
  for (const source of rule.sources ?? SOURCE_KINDS) {
    keys.add(source);
    if (CLOUD_AUDIT_SOURCES.has(source)) keys.add(auditKeyOf(source));
    if (source === 'k8s.audit' && rule.operator.kind !== 'absence') {
      for (const cloud of CLOUD_AUDIT_SOURCES) keys.add(auditKeyOf(cloud));
    }
  }
  return [...keys];
}
