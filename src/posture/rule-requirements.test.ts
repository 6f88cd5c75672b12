import { describe, expect, it } from 'vitest';
import { compileRule, type CompiledRule } from '../detect/rule.js';
import { ruleSpecSchema } from '../detect/rule-schema.js';
import type { AuditPolicy } from './audit-policy.js';
import { evaluateCoverage } from './coverage.js';
import { resourceLabel } from './request-shape.js';
import { deriveRequirement, type RequiredRequest } from './rule-requirements.js';

function rule(fields: Record<string, unknown>): CompiledRule {
  const spec = ruleSpecSchema.parse({ id: 'r', title: 'test rule', description: 'd', severity: 'high', source: 'k8s.audit', ...fields });
  return compileRule(spec, new Map([['system-namespaces', ['kube-system', 'kube-public']]]), 'test.yaml');
}

const requestsOf = (compiled: CompiledRule): RequiredRequest[] => deriveRequirement(compiled).parts.flatMap((part) => part.requests);
const targets = (requests: readonly RequiredRequest[]): string[] =>
  [...new Set(requests.map(({ request }) => (request.resource === undefined ? `${request.verb} ${request.path}` : `${request.verb} ${resourceLabel(request.resource)}`)))].sort();
const users = (requests: readonly RequiredRequest[]): string[] => [...new Set(requests.map(({ request }) => request.user?.name ?? '(none)'))].sort();

describe('deriveRequirement', () => {
  it('exec by a person: pods/exec and pods/attach, Metadata, ResponseStarted or ResponseComplete, with the outcome', () => {
    const requests = requestsOf(
      rule({ match: { verb: ['create', 'get'], resource: 'pods', subresource: ['exec', 'attach'], stage: ['ResponseStarted', 'ResponseComplete'], outcome: 'success', actor: 'human' } }),
    );
    expect(targets(requests)).toEqual(['create pods/attach', 'create pods/exec', 'get pods/attach', 'get pods/exec']);
    expect(users(requests)).toEqual(['alice@example.com', 'kubernetes-admin']);
    for (const required of requests) {
      expect(required).toMatchObject({ level: 'Metadata', stages: ['ResponseStarted', 'ResponseComplete'], needsResponse: true });
      expect(required.request.resource?.namespace).toMatch(/^(default|kube-system)$/);
    }
  });

  it('a rule reading the request body needs Request; the response body RequestResponse; a derived pod spec Request', () => {
    const body = requestsOf(rule({ match: { verb: 'create', resource: 'clusterrolebindings', 'requestObject.roleRef.name': 'cluster-admin' } }));
    expect(body.every((required) => required.level === 'Request' && required.bodyFields.includes('requestObject.roleRef.name'))).toBe(true);
    expect(body[0].request.resource).toMatchObject({ group: 'rbac.authorization.k8s.io', namespace: '' });
    const response = requestsOf(rule({ match: { verb: 'get', resource: 'pods', 'responseObject.spec.nodeName': 'worker-1' } }));
    expect(new Set(response.map((required) => required.level))).toEqual(new Set(['RequestResponse']));
    const spec = requestsOf(rule({ match: { verb: 'create', resource: 'pods', 'vigil.k8s.pod_spec.hostPID': true } }));
    expect(new Set(spec.map((required) => required.level))).toEqual(new Set(['Request']));
  });

  it('a body field under not, or required absent, needs no body', () => {
    const negated = requestsOf(rule({ match: { verb: 'create', resource: 'pods', not: { 'requestObject.spec.hostNetwork': true } } }));
    expect(new Set(negated.map((required) => required.level))).toEqual(new Set(['Metadata']));
    const absent = requestsOf(rule({ match: { verb: 'create', resource: 'pods', 'requestObject.spec|exists': false } }));
    expect(new Set(absent.map((required) => required.level))).toEqual(new Set(['Metadata']));
  });

  it('fields read by the stateful operator count too', () => {
    const distinct = requestsOf(rule({ match: { verb: 'create', resource: 'pods' }, threshold: { count: 3, within: '5m', distinct: 'requestObject.spec.containers[*].image' }, group_by: ['user.name'] }));
    expect(new Set(distinct.map((required) => required.level))).toEqual(new Set(['Request']));
  });

  it('follows exists tests, namespaces and list-across-namespaces', () => {
    const clusterWide = requestsOf(rule({ match: { verb: 'list', resource: 'secrets', 'namespace|exists': false } }));
    expect(new Set(clusterWide.map(({ request }) => request.resource?.namespace))).toEqual(new Set(['']));
    const system = requestsOf(rule({ match: { verb: 'create', resource: 'serviceaccounts', 'subresource|exists': false, namespace: { list: 'system-namespaces' } } }));
    expect(targets(system)).toEqual(['create serviceaccounts']);
    expect(new Set(system.map(({ request }) => request.resource?.namespace))).toEqual(new Set(['kube-system', 'kube-public']));
  });

  it('filters the callers by actor kind and user patterns, with the rule’s own matching', () => {
    const notSystem = requestsOf(rule({ match: { verb: 'delete', resource: 'namespaces', not: { actor: ['node', 'controller'] } } }));
    expect(users(notSystem)).toEqual(['alice@example.com', 'kubernetes-admin', 'system:anonymous', 'system:serviceaccount:ci:deployer']);
    const pattern = requestsOf(rule({ match: { verb: 'get', resource: 'secrets', 'user|wildcard': 'system:serviceaccount:kube-system:*' } }));
    expect(users(pattern)).toEqual(['system:serviceaccount:kube-system:x']);
    expect(pattern[0].request.user?.groups).toContain('system:serviceaccounts:kube-system');
  });

  it('a rule naming no resource watches the catalog’s requests of its callers', () => {
    const requests = requestsOf(rule({ match: { actor: 'anonymous', code: [401, 403] } }));
    expect(users(requests)).toEqual(['system:anonymous']);
    expect(targets(requests)).toContain('get /api');
    expect(targets(requests)).toContain('list secrets');
    const deletes = requestsOf(rule({ match: { verb: ['delete', 'deletecollection'], not: { actor: ['node', 'controller'] } } }));
    expect(targets(deletes)).toEqual(expect.arrayContaining(['delete namespaces', 'delete events', 'delete events (events.k8s.io)', 'deletecollection persistentvolumeclaims']));
    expect(targets(deletes).every((target) => target.startsWith('delete'))).toBe(true);
  });

  it('a sequence needs every step; an absence rule one logged request; other sources are not the policy’s', () => {
    const sequence = deriveRequirement(
      rule({ match: { actor: 'human', verb: 'create' }, sequence: { within: '5m', steps: [{ resource: 'rolebindings' }, { resource: 'pods' }] }, group_by: ['user.name'] }),
    );
    expect(sequence.parts.map((part) => [part.label, targets(part.requests)])).toEqual([
      ['sequence step 1', ['create rolebindings (rbac.authorization.k8s.io)']],
      ['sequence step 2', ['create pods']],
    ]);
    expect(deriveRequirement(rule({ absence: { after: '10m' }, match: { actor: 'node', verb: 'update', resource: 'leases' }, group_by: ['user.name'] })).mode).toBe('any');
    expect(deriveRequirement(rule({ source: 'container', absence: { after: '30m' } })).auditPolicyDecides).toBe(false);
  });

  it('says when it had to assume a resource’s API group', () => {
    const requirement = deriveRequirement(rule({ match: { verb: 'delete', resource: 'certificates' } }));
    expect(requirement.notes).toEqual(['API group of "certificates" unknown; assumed the core group ""']);
  });
});

describe('evaluateCoverage', () => {
  const exec = rule({ match: { verb: 'create', resource: 'pods', subresource: 'exec', stage: ['ResponseStarted', 'ResponseComplete'], outcome: 'success', actor: 'human' } });
  const binding = rule({ match: { verb: 'create', resource: 'clusterrolebindings', 'requestObject.roleRef.name': 'cluster-admin' } });
  const coverage = (policy: AuditPolicy | undefined, ...rules: CompiledRule[]) => evaluateCoverage(policy, rules.map(deriveRequirement), 'logging is off');

  it('fires when every watched request is logged as needed', () => {
    expect(coverage({ rules: [{ level: 'Metadata' }] }, exec)[0]).toMatchObject({ status: 'fires', gaps: [], checked: 4, covered: 4 });
  });

  it('is blind when the level is too low, naming the field and the deciding rule', () => {
    const [entry] = coverage({ rules: [{ level: 'Metadata' }] }, binding);
    expect(entry.status).toBe('blind');
    expect(entry.needs).toMatchObject({ level: 'Request', stages: ['RequestReceived', 'ResponseStarted', 'ResponseComplete'] });
    expect(entry.gaps[0].reason).toBe('logged at Metadata by policy rule #1; the rule reads requestObject.roleRef.name, which needs Request');
  });

  it('is partial when a None rule hides some callers', () => {
    const [entry] = coverage({ rules: [{ level: 'None', users: ['kubernetes-admin'] }, { level: 'Metadata' }] }, exec);
    expect(entry).toMatchObject({ status: 'partial', checked: 4, covered: 2 });
    expect(entry.gaps[0].reason).toBe('not logged: policy rule #1 sets level None');
  });

  it('is blind when the stages it reads are omitted, and RequestReceived cannot show an outcome', () => {
    const [entry] = coverage({ rules: [{ level: 'Metadata', omitStages: ['ResponseStarted', 'ResponseComplete'] }] }, exec);
    expect(entry.status).toBe('blind');
    expect(entry.gaps[0].reason).toMatch(/^logged only at RequestReceived .*the rule needs ResponseStarted or ResponseComplete$/);
  });

  it('is blind everywhere without a policy, for the reason given', () => {
    const [entry] = coverage(undefined, exec);
    expect(entry).toMatchObject({ status: 'blind' });
    expect(entry.gaps[0].reason).toBe('logging is off');
  });

  it('a sequence with one unlogged step is blind', () => {
    const sequence = rule({ match: { verb: 'create' }, sequence: { within: '5m', steps: [{ resource: 'rolebindings' }, { resource: 'pods' }] }, group_by: ['user.name'] });
    const [entry] = coverage({ rules: [{ level: 'None', resources: [{ group: '', resources: ['pods'] }] }, { level: 'Metadata' }] }, sequence);
    expect(entry.status).toBe('blind');
  });

  it('leaves other sources to other checks', () => {
    expect(coverage({ rules: [{ level: 'Metadata' }] }, rule({ source: 'node', absence: { after: '30m' } }))[0].status).toBe('not-audit');
  });
});
