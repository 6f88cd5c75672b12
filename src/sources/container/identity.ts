import { basename, dirname } from 'node:path';

/** Which container a log line is from, as far as its file name or shipper says. */
export interface ContainerIdentity {
  pod?: string;
  namespace?: string;
  container?: string;
  containerId?: string;
  podUid?: string;
  host?: string;
  /** A shipper's own metadata (fluent-bit's `kubernetes` object), kept instead of the fields above in the record. */
  metadata?: Record<string, unknown>;
}

/** `/var/log/containers/<pod>_<namespace>_<container>-<id>.log`; the kubelet cuts the name at 255 bytes, so the id may be short. */
const LEGACY_SYMLINK = /^([^_/]+)_([^_/]+)_(.+)-([0-9a-f]+)\.log$/;
/** `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restarts>.log`, rotated copies end in `.<timestamp>`. */
const POD_LOG = /^\d+\.log(\.\d{8}-\d{6})?$/;
const POD_DIRECTORY = /^([^_/]+)_([^_/]+)_([0-9a-f-]+)$/;
/** Docker's json-file driver: `/var/lib/docker/containers/<id>/<id>-json.log[.N]`. */
const DOCKER_JSON_FILE = /^([0-9a-f]{64})-json\.log(\.\d+)?$/;

/** Reads pod, namespace, container and container id from a kubelet or docker log file path. */
export function identityOfPath(path: string | undefined): ContainerIdentity | undefined {
  if (!path) return undefined;
  const name = basename(path);
  const legacy = LEGACY_SYMLINK.exec(name);
  if (legacy) return { pod: legacy[1], namespace: legacy[2], container: legacy[3], containerId: legacy[4] };
  const docker = DOCKER_JSON_FILE.exec(name);
  if (docker) return { containerId: docker[1] };
  if (POD_LOG.test(name)) {
    const container = basename(dirname(path));
    const pod = POD_DIRECTORY.exec(basename(dirname(dirname(path))));
    if (pod) return { namespace: pod[1], pod: pod[2], podUid: pod[3], container };
  }
  return undefined;
}

/** The identity as stored in a record, named as fluent-bit's kubernetes filter names it. */
export function identityRecord(identity: ContainerIdentity): Record<string, unknown> | undefined {
  if (identity.metadata) return identity.metadata;
  const fields: Record<string, unknown> = {};
  if (identity.pod) fields.pod_name = identity.pod;
  if (identity.namespace) fields.namespace_name = identity.namespace;
  if (identity.container) fields.container_name = identity.container;
  if (identity.containerId) fields.container_id = identity.containerId;
  if (identity.podUid) fields.pod_id = identity.podUid;
  if (identity.host) fields.host = identity.host;
  return Object.keys(fields).length > 0 ? fields : undefined;
}
