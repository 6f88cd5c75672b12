import type { Outcome, VigilEvent } from '../model/event.js';
import { actorKindOf } from '../model/actor.js';
import { eventId } from '../model/event-id.js';
import { str } from './json-value.js';
import { goStringSlice, parseLogfmt } from './logfmt.js';

/** One authenticator log line with where it was read from. */
export interface AuthenticatorLine {
  line: string;
  /** CloudWatch event time, ms. */
  timestamp: number;
  /** CloudWatch event id, or a content key when the export carried none. */
  dedupKey: string;
  /** `authenticator-<id>`: the authenticator instance beside one API server. */
  logStream: string;
  record: string;
  cluster: string;
}

/** EKS's own components authenticate as `eks:*` users (eks:node-manager, eks:certificate-controller, …). */
export const isEksIdentity = (userName: string): boolean => userName.startsWith('eks:');

/**
 * The verdicts aws-iam-authenticator logs (kubernetes-sigs/aws-iam-authenticator
 * pkg/server/server.go): "access granted" with username, uid and groups; "access denied" with
 * the error, and the canonical ARN when the token was valid but the identity is not mapped.
 */
const VERDICTS: Readonly<Record<string, Outcome>> = { 'access granted': 'success', 'access denied': 'failure' };

/**
 * Normalizes an EKS authenticator line (logrus key=value text). The Kubernetes user name is the
 * mapped `username`; for a denial, which has none, it is the ARN the caller presented. Returns
 * undefined when the line is not logfmt.
 */
export function authenticatorEvent(input: AuthenticatorLine): VigilEvent | undefined {
  const fields = parseLogfmt(input.line);
  const msg = fields?.msg;
  if (fields === undefined || msg === undefined) return undefined;
  const outcome = VERDICTS[msg];
  const username = str(fields.username);
  const groups = goStringSlice(fields.groups);
  const error = str(fields.error);
  return {
    id: eventId(input.timestamp, input.cluster, 'cloud.eks', input.dedupKey),
    timestamp: input.timestamp,
    source: 'cloud.eks',
    cluster: input.cluster,
    dedupKey: input.dedupKey,
    kind: 'event',
    category: 'authentication',
    action: outcome ? 'authenticate' : undefined,
    outcome: outcome ?? 'unknown',
    userName: username ?? (outcome ? str(fields.arn) : undefined),
    userGroups: groups,
    actorKind: username === undefined ? undefined : isEksIdentity(username) ? 'controller' : actorKindOf(username, groups),
    hostName: input.logStream,
    message: error ? `${msg}: ${error}` : msg,
    logLevel: str(fields.level),
    raw: { ...fields, ...(groups ? { groups } : {}) },
    record: input.record,
  };
}
