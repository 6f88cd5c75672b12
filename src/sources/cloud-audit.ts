import type { SourceKind, VigilEvent } from '../model/event.js';
import { eventId } from '../model/event-id.js';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import type { Json } from './json-value.js';

/** The managed control planes whose audit records are Kubernetes audit Events. */
export type CloudAuditSource = Extract<SourceKind, 'cloud.eks' | 'cloud.gke' | 'cloud.aks'>;

/** Where in the managed control plane a record came from: the API server's log stream or pod. */
export interface CloudOrigin {
  hostName?: string;
  podName?: string;
  containerId?: string;
}

/**
 * A Kubernetes audit Event delivered inside a cloud provider's envelope, normalized exactly as a
 * native audit log line is (same fields, same dedup by auditID and stage), under the cloud source.
 * `raw` is the audit Event itself, so rules that address its paths (`requestObject.spec…`) work
 * unchanged; `record` is the provider's envelope as stored. The provider's own control-plane
 * identities (`isProviderIdentity`) count as controllers, not people. Throws `NotAnAuditEvent`.
 */
export function cloudAuditEvent(
  audit: Json,
  record: string,
  cluster: string,
  source: CloudAuditSource,
  origin: CloudOrigin = {},
  isProviderIdentity: (userName: string) => boolean = () => false,
): VigilEvent {
  const event = normalizeAuditEvent(audit, record, cluster);
  const actorKind = event.userName !== undefined && isProviderIdentity(event.userName) ? 'controller' : event.actorKind;
  return { ...event, ...origin, source, actorKind, id: eventId(event.timestamp, cluster, source, event.dedupKey) };
}
