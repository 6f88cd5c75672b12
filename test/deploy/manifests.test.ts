import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, vigil } from '../helpers/cli.js';
import { validateObject } from './kubernetes-schema.js';

/**
 * deploy/: every Kubernetes object validates against the API schemas, the kustomization names
 * every object file and every file it generates from, the pieces reference each other
 * correctly, and the server runs under Pod Security "restricted". When kubectl is installed
 * (not from Debian's archive, so not in CI) the kustomization is also rendered and validated.
 */

// `any`: manifests are free-form YAML, read field by field; the schema check above them is typed.
type Obj = Record<string, any>;

const DEPLOY = join(REPO_ROOT, 'deploy');
/** YAML files in deploy/ that are not Kubernetes API objects. */
const NOT_OBJECTS = ['kustomization.yaml', 'agent/agent.yaml', 'audit/audit-policy.yaml', 'audit/webhook-kubeconfig.yaml'];

function yamlFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry.name) ? [relative(DEPLOY, path)] : [];
  });
}

function documentsOf(text: string, where: string): Obj[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`${where}: ${document.errors[0].message}`);
    return document.toJS() as Obj;
  });
}

const kustomization = documentsOf(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8'), 'kustomization.yaml')[0];
const objectFiles = yamlFiles(DEPLOY).filter((file) => !NOT_OBJECTS.includes(file));
const objects = objectFiles.flatMap((file) => documentsOf(readFileSync(join(DEPLOY, file), 'utf8'), file).map((object) => ({ file, object })));
const find = (kind: string, name: string) => objects.find(({ object }) => object.kind === kind && object.metadata?.name === name)?.object;
const generated = (name: string) => (kustomization.configMapGenerator as Obj[]).find((generator) => generator.name === name);

describe('deploy/ manifests', () => {
  it('are valid Kubernetes objects, each named and namespaced where it must be', () => {
    expect(objects.length).toBeGreaterThanOrEqual(12);
    for (const { file, object } of objects) {
      expect(validateObject(object), `${file} ${object.kind}/${object.metadata?.name}`).toEqual([]);
      expect(object.metadata?.name, file).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind);
      if (!clusterScoped) expect(find('Namespace', object.metadata.namespace), `${file}: namespace ${object.metadata.namespace}`).toBeDefined();
    }
  });

  it('catches a typo, a wrong type and a missing required field (the validator can fail)', () => {
    const broken = structuredClone(find('Deployment', 'vigil')) as Obj;
    broken.spec.template.spec.securityContex = {};
    broken.spec.replicas = 'one';
    delete broken.spec.template.spec.containers[0].name;
    expect(validateObject(broken)).toEqual([
      'Deployment.spec.replicas: must be a number, got "one"',
      'Deployment.spec.template.spec.containers[0].name: required',
      expect.stringMatching(/^Deployment\.spec\.template\.spec\.securityContex: unknown field \(V1PodSpec has .*securityContext/),
    ]);
    expect(validateObject({ apiVersion: 'extensions/v1beta1', kind: 'Deployment' })).toEqual(['Deployment belongs to API group "apps", not "extensions" (apiVersion extensions/v1beta1)']);
  });

  it('are all named by the kustomization, as are the files its generators read', () => {
    expect([...(kustomization.resources as string[])].sort()).toEqual([...objectFiles].sort());
    for (const generator of kustomization.configMapGenerator as Obj[]) {
      for (const entry of generator.files as string[]) expect(existsSync(join(DEPLOY, entry.split('=').pop() as string)), entry).toBe(true);
    }
  });

  it('wire together: service accounts, volumes, selectors and network policies name what exists', () => {
    for (const workload of objects.filter(({ object }) => ['Deployment', 'DaemonSet'].includes(object.kind)).map(({ object }) => object)) {
      const pod = workload.spec.template;
      const where = `${workload.kind}/${workload.metadata.name}`;
      expect(pod.metadata.labels, where).toMatchObject(workload.spec.selector.matchLabels);
      expect(find('ServiceAccount', pod.spec.serviceAccountName)?.metadata.namespace, where).toBe(workload.metadata.namespace);
      for (const volume of pod.spec.volumes as Obj[]) {
        if (volume.configMap) expect(generated(volume.configMap.name)?.namespace, `${where} volume ${volume.name}`).toBe(workload.metadata.namespace);
        if (volume.persistentVolumeClaim) expect(find('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName), `${where} volume ${volume.name}`).toBeDefined();
      }
      for (const container of pod.spec.containers as Obj[]) {
        for (const mount of container.volumeMounts as Obj[]) expect((pod.spec.volumes as Obj[]).map((volume) => volume.name), `${where} mount ${mount.name}`).toContain(mount.name);
        expect(container.resources?.limits, `${where}: resource limits`).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
      }
      const policy = objects.find(({ object }) => object.kind === 'NetworkPolicy' && object.metadata.namespace === workload.metadata.namespace)?.object;
      expect(pod.metadata.labels, `${where}: its NetworkPolicy selects it`).toMatchObject(policy?.spec.podSelector.matchLabels ?? { missing: 'policy' });
    }
    const service = find('Service', 'vigil');
    expect(find('Deployment', 'vigil')?.spec.template.metadata.labels).toMatchObject(service?.spec.selector);
    const binding = find('ClusterRoleBinding', 'vigil-reader');
    expect(find('ClusterRole', binding?.roleRef.name)).toBeDefined();
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'vigil', namespace: 'vigil' }]);
  });

  it('grant vigil serve read-only access to what the events watch and posture use, nothing more', () => {
    const verbs = new Set((find('ClusterRole', 'vigil-reader')?.rules as Obj[]).flatMap((rule) => rule.verbs as string[]));
    expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
    expect(find('ServiceAccount', 'vigil-agent')?.automountServiceAccountToken).toBe(false);
  });

  it('run the server under Pod Security "restricted" as a non-root user; the agent with no capabilities and read-only mounts', () => {
    expect(find('Namespace', 'vigil')?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const server = find('Deployment', 'vigil')?.spec.template.spec;
    expect(server.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(server.securityContext.runAsUser).toBeGreaterThan(0);
    expect((server.volumes as Obj[]).some((volume) => volume.hostPath)).toBe(false);
    for (const container of server.containers as Obj[]) {
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
    const agent = find('DaemonSet', 'vigil-agent')?.spec.template.spec;
    expect(agent.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } });
    const hostMounts = (agent.volumes as Obj[]).filter((volume) => volume.hostPath).map((volume) => volume.name);
    const writable = (agent.containers[0].volumeMounts as Obj[]).filter((mount) => hostMounts.includes(mount.name) && !mount.readOnly).map((mount) => mount.name);
    expect(writable).toEqual(['state']);
  });

  it('give the agent a config vigil accepts, and the server the audit policy it is pointed at', async () => {
    const checked = await vigil(['config', 'check', join(DEPLOY, 'agent', 'agent.yaml')]);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    const args = find('Deployment', 'vigil')?.spec.template.spec.containers[0].args as string[];
    expect(args).toContain('--audit-policy=/etc/vigil/audit/audit-policy.yaml');
    const policy = documentsOf(readFileSync(join(DEPLOY, 'audit', 'audit-policy.yaml'), 'utf8'), 'audit-policy.yaml')[0];
    expect(policy).toMatchObject({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy' });
    const kubeconfig = documentsOf(readFileSync(join(DEPLOY, 'audit', 'webhook-kubeconfig.yaml'), 'utf8'), 'webhook-kubeconfig.yaml')[0];
    expect(kubeconfig.clusters[0].cluster.server).toMatch(/\/api\/v1\/ingest\/k8s-audit$/);
  });

  it('build the image from files that exist, in stages, and run it as a non-root user', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((match) => ({ image: match[1], name: match[2] }));
    expect(stages.map((stage) => stage.image)).toContain('node:20-bookworm-slim');
    expect(stages.length).toBeGreaterThanOrEqual(3);
    for (const [, from, source] of dockerfile.matchAll(/^COPY (--from=\S+ )?(\S+) \S+$/gm)) {
      if (!from) expect(existsSync(join(REPO_ROOT, source)), `COPY ${source}`).toBe(true);
    }
    const last = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(last).toMatch(/^USER 10001:10001$/m);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!kubectl)('render with kubectl kustomize into the same valid objects, generated config maps referenced by their hashed names', () => {
    const rendered = documentsOf(execFileSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8' }), 'kubectl kustomize');
    expect(rendered).toHaveLength(objects.length + (kustomization.configMapGenerator as Obj[]).length);
    for (const object of rendered) expect(validateObject(object), `${object.kind}/${object.metadata.name}`).toEqual([]);
    const deployment = rendered.find((object) => object.kind === 'Deployment');
    const policyMap = rendered.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('vigil-audit-policy-'));
    expect((deployment?.spec.template.spec.volumes as Obj[]).find((volume) => volume.name === 'audit-policy')?.configMap.name).toBe(policyMap?.metadata.name);
    expect(deployment?.spec.template.spec.containers[0].image).toBe('registry.example.com/vigil:0.1.0');
  });
});
