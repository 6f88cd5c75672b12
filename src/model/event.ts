/**
 * The normalized event every source produces and every later stage consumes.
 * Property names are short TypeScript names; the ECS names users type in queries and rules
 * are defined once in `fields.ts`.
 */

export const SOURCE_KINDS = [
  'k8s.audit',
  'k8s.event',
  'container',
  'node',
  'cloud.eks',
  'cloud.gke',
  'cloud.aks',
  'net.ingress',
  'net.flow',
  'runtime.tetragon',
  'vigil.admin',
] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export type ActorKind = 'human' | 'serviceaccount' | 'node' | 'controller' | 'anonymous';
export type Outcome = 'success' | 'failure' | 'unknown';

export interface VigilEvent {
  /** Stable id derived from the event's identity (see `eventId`), unique within a store. */
  id: string;
  /** `@timestamp`, milliseconds since the epoch. */
  timestamp: number;
  source: SourceKind;
  cluster: string;
  /** Key that identifies retransmissions of the same record, e.g. audit (auditID, stage). */
  dedupKey: string;
  kind: string;
  category?: string;
  action?: string;
  outcome: Outcome;
  userName?: string;
  userGroups?: string[];
  actorKind?: ActorKind;
  impersonatedUser?: string;
  sourceIp?: string;
  userAgent?: string;
  namespace?: string;
  resourceType?: string;
  resourceName?: string;
  subresource?: string;
  apiGroup?: string;
  statusCode?: number;
  decision?: string;
  requestUri?: string;
  auditId?: string;
  stage?: string;
  podName?: string;
  containerId?: string;
  hostName?: string;
  message?: string;
  logLevel?: string;
  /** The original record, parsed: rules and queries may address any path of it. */
  raw: Record<string, unknown>;
  /** The original record exactly as stored (JSON text); the ledger hashes this. */
  record: string;
}
