import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Detector } from '../../src/detect/detector.js';
import { builtinRulesDir, loadRules } from '../../src/detect/loader.js';
import { inputFromPath } from '../../src/sources/input.js';
import { readEvents } from '../../src/sources/read.js';
import { SHARED_FIXTURES } from '../helpers/cli.js';

/**
 * Falco's own Kubernetes audit regression traces (shared/fixtures/falco, see its README and
 * falco_k8s_audit_tests.yaml for which case each file is). The built-in pack must fire the rule
 * that corresponds to Falco's on the attack traces and stay quiet on Falco's negative cases.
 */
const TRACES = join(SHARED_FIXTURES, 'falco', 'trace_files', 'k8s_audit');
const RULES = loadRules(builtinRulesDir(), 'builtin');

async function ruleIdsFor(file: string): Promise<string[]> {
  const detector = new Detector(RULES);
  for await (const batch of readEvents([inputFromPath(join(TRACES, file))], { cluster: 'falco' })) {
    for (const event of batch.events) detector.process(event);
  }
  return detector.finish().map((alert) => alert.rule.id);
}

const FIRES: Record<string, string> = {
  // Falco rule in the suite → Vigil rule
  'create_nginx_pod_privileged.json': 'k8s-privileged-container', // Create Privileged Pod
  'create_nginx_pod_privileged_2nd_container.json': 'k8s-privileged-container',
  'create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json': 'k8s-privileged-container',
  'create_nginx_pod_sensitive_mount.json': 'k8s-sensitive-host-path', // Create Sensitive Mount Pod
  'create_nginx_pod_sensitive_mount_2nd_container.json': 'k8s-sensitive-host-path',
  'create_nginx_pod_hostnetwork.json': 'k8s-host-network', // Create HostNetwork Pod
  'create_nginx_service_nodeport.json': 'k8s-nodeport-service', // Create NodePort Service
  'create_configmap_sensitive_values.json': 'k8s-configmap-with-credentials', // Create/Modify Configmap With Private Credentials
  'anonymous_creates_namespace_foo.json': 'k8s-anonymous-allowed', // Anonymous Request Allowed
  'exec_pod.json': 'k8s-exec-into-pod', // Attach/Exec Pod
  'attach_pod.json': 'k8s-exec-into-pod',
  'create_serviceaccount_kube_system_namespace.json': 'k8s-sa-created-in-system-namespace', // Service Account Created in Kube Namespace
  'create_serviceaccount_kube_public_namespace.json': 'k8s-sa-created-in-system-namespace',
  'delete_cluster_role_kube_aggregator.json': 'k8s-system-role-modified', // System ClusterRole Modified/Deleted
  'modify_cluster_role_node_problem_detector.json': 'k8s-system-role-modified',
  'attach_cluster_admin_role.json': 'k8s-cluster-admin-binding', // Attach to cluster-admin Role
  'create_cluster_role_wildcard_resources.json': 'k8s-wildcard-role', // ClusterRole With Wildcard Created
  'create_cluster_role_wildcard_verbs.json': 'k8s-wildcard-role',
  'create_cluster_role_pod_exec.json': 'k8s-role-sensitive-permissions', // ClusterRole With Pod Exec Created
  'delete_namespace_foo.json': 'k8s-namespace-deleted', // K8s Namespace Deleted
};

/** Falco's `detect: False` cases: the same kind of request without the dangerous setting. */
const QUIET = [
  'create_nginx_pod_unprivileged.json',
  'create_nginx_pod_nohostnetwork.json',
  'create_nginx_pod_unsensitive_mount.json',
  'create_nginx_service_nonodeport.json',
  'create_configmap_no_sensitive_values.json',
  'create_service_account_token_secret.json',
  'create_kube_system_secret.json',
];

describe("Falco's k8s_audit trace files", () => {
  it('are all present', () => {
    const files = readdirSync(TRACES);
    for (const file of [...Object.keys(FIRES), ...QUIET]) expect(files).toContain(file);
  });

  for (const [file, ruleId] of Object.entries(FIRES)) {
    it(`${file} raises ${ruleId}`, async () => {
      expect(await ruleIdsFor(file)).toContain(ruleId);
    });
  }

  for (const file of QUIET) {
    it(`${file} raises nothing`, async () => {
      expect(await ruleIdsFor(file)).toEqual([]);
    });
  }
});
