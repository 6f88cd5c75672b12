import { describe, expect, it } from 'vitest';
import type { AuditLevel } from './audit-levels.js';
import { parseAuditPolicy, type AuditPolicy, type PolicyRule } from './audit-policy.js';
import { userNamed, type RequestShape } from './request-shape.js';
import { evaluatePolicy, loggedStages } from './simulator.js';

const alice = userNamed('alice@example.com', ['platform-admins']);
const proxy = userNamed('system:kube-proxy');
const node = userNamed('system:node:worker-1');
const anonymous = userNamed('system:anonymous');

const on = (verb: string, group: string, resource: string, extra: Partial<NonNullable<RequestShape['resource']>> = {}, user = alice): RequestShape => ({
  user,
  verb,
  resource: { group, resource, namespace: 'default', ...extra },
});
const url = (verb: string, path: string, user: RequestShape['user'] = alice): RequestShape => ({ user, verb, path });

/** A policy of one matching rule at Request before a Metadata catch-all: Request means "the rule matched". */
const only = (rule: Omit<PolicyRule, 'level'>): AuditPolicy => ({ rules: [{ level: 'Request', ...rule }, { level: 'Metadata' }] });

const cases: Array<[string, AuditPolicy, RequestShape, AuditLevel]> = [
  // users
  ['users: listed user matches', only({ users: ['alice@example.com'] }), on('get', '', 'pods'), 'Request'],
  ['users: other user does not', only({ users: ['bob@example.com'] }), on('get', '', 'pods'), 'Metadata'],
  ['users: unauthenticated request never matches a users rule', only({ users: ['alice@example.com'] }), { verb: 'get', path: '/api' }, 'Metadata'],
  // userGroups
  ['userGroups: any group of the user', only({ userGroups: ['platform-admins', 'x'] }), on('get', '', 'pods'), 'Request'],
  ['userGroups: service account groups', only({ userGroups: ['system:serviceaccounts:ci'] }), on('get', '', 'pods', {}, userNamed('system:serviceaccount:ci:deployer')), 'Request'],
  ['userGroups: no shared group', only({ userGroups: ['system:nodes'] }), on('get', '', 'pods'), 'Metadata'],
  ['userGroups: unauthenticated request has none', only({ userGroups: ['system:unauthenticated'] }), { verb: 'get', path: '/api' }, 'Metadata'],
  ['userGroups: anonymous is system:unauthenticated', only({ userGroups: ['system:unauthenticated'] }), url('get', '/api', anonymous), 'Request'],
  // verbs
  ['verbs: listed verb', only({ verbs: ['create', 'delete'] }), on('delete', '', 'pods'), 'Request'],
  ['verbs: other verb', only({ verbs: ['create', 'delete'] }), on('watch', '', 'pods'), 'Metadata'],
  // resources with group
  ['resources: core group ""', only({ resources: [{ group: '', resources: ['pods'] }] }), on('get', '', 'pods'), 'Request'],
  ['resources: same name in another group does not match', only({ resources: [{ group: '', resources: ['events'] }] }), on('delete', 'events.k8s.io', 'events'), 'Metadata'],
  ['resources: group without resources = whole group', only({ resources: [{ group: 'apps' }] }), on('patch', 'apps', 'deployments', { subresource: 'scale' }), 'Request'],
  ['resources: whole group does not reach other groups', only({ resources: [{ group: 'apps' }] }), on('create', 'batch', 'jobs'), 'Metadata'],
  // subresources
  ['subresources: "pods" does not match pods/exec', only({ resources: [{ group: '', resources: ['pods'] }] }), on('create', '', 'pods', { subresource: 'exec' }), 'Metadata'],
  ['subresources: "pods/exec" matches pods/exec', only({ resources: [{ group: '', resources: ['pods/exec'] }] }), on('create', '', 'pods', { subresource: 'exec' }), 'Request'],
  ['subresources: "pods/exec" does not match pods', only({ resources: [{ group: '', resources: ['pods/exec'] }] }), on('create', '', 'pods'), 'Metadata'],
  ['subresources: "pods/*" matches every pod subresource', only({ resources: [{ group: '', resources: ['pods/*'] }] }), on('get', '', 'pods', { subresource: 'log' }), 'Request'],
  // checker.go compares "pods/*" with the bare resource name, so it matches pods itself too (the docs only mention subresources).
  ['subresources: "pods/*" also matches pods itself', only({ resources: [{ group: '', resources: ['pods/*'] }] }), on('get', '', 'pods'), 'Request'],
  ['subresources: "pods/*" does not match other resources', only({ resources: [{ group: '', resources: ['pods/*'] }] }), on('get', '', 'nodes', { subresource: 'proxy' }), 'Metadata'],
  ['subresources: "*/scale" matches any scale', only({ resources: [{ group: 'apps', resources: ['*/scale'] }] }), on('update', 'apps', 'statefulsets', { subresource: 'scale' }), 'Request'],
  ['subresources: "*/scale" does not match status', only({ resources: [{ group: 'apps', resources: ['*/scale'] }] }), on('update', 'apps', 'statefulsets', { subresource: 'status' }), 'Metadata'],
  ['subresources: "*/scale" does not match the resource itself', only({ resources: [{ group: 'apps', resources: ['*/scale'] }] }), on('update', 'apps', 'statefulsets'), 'Metadata'],
  ['subresources: "*" matches resources and subresources', only({ resources: [{ group: '', resources: ['*'] }] }), on('create', '', 'serviceaccounts', { subresource: 'token' }), 'Request'],
  // resourceNames
  ['resourceNames: listed name', only({ resources: [{ group: '', resources: ['configmaps'], resourceNames: ['aws-auth'] }] }), on('update', '', 'configmaps', { name: 'aws-auth' }), 'Request'],
  ['resourceNames: other name', only({ resources: [{ group: '', resources: ['configmaps'], resourceNames: ['aws-auth'] }] }), on('update', '', 'configmaps', { name: 'app' }), 'Metadata'],
  ['resourceNames: a list has no name', only({ resources: [{ group: '', resources: ['configmaps'], resourceNames: ['aws-auth'] }] }), on('list', '', 'configmaps'), 'Metadata'],
  // namespaces
  ['namespaces: listed namespace', only({ namespaces: ['kube-system'] }), on('get', '', 'pods', { namespace: 'kube-system' }), 'Request'],
  ['namespaces: other namespace', only({ namespaces: ['kube-system'] }), on('get', '', 'pods'), 'Metadata'],
  ['namespaces: "" selects cluster-scoped resources', only({ namespaces: [''] }), on('delete', '', 'namespaces', { namespace: '' }), 'Request'],
  ['namespaces: "" selects lists across all namespaces', only({ namespaces: [''] }), on('list', '', 'secrets', { namespace: '' }), 'Request'],
  ['namespaces: "" does not select namespaced requests', only({ namespaces: [''] }), on('get', '', 'pods'), 'Metadata'],
  ['namespaces: a namespaces rule never matches non-resource URLs', only({ namespaces: ['default'] }), url('get', '/api'), 'Metadata'],
  // nonResourceURLs
  ['nonResourceURLs: exact path', only({ nonResourceURLs: ['/version'] }), url('get', '/version'), 'Request'],
  ['nonResourceURLs: exact path does not match longer path', only({ nonResourceURLs: ['/version'] }), url('get', '/version/x'), 'Metadata'],
  ['nonResourceURLs: trailing * matches the prefix', only({ nonResourceURLs: ['/healthz*'] }), url('get', '/healthz/etcd'), 'Request'],
  ['nonResourceURLs: trailing * matches the bare prefix', only({ nonResourceURLs: ['/api*'] }), url('get', '/apis'), 'Request'],
  ['nonResourceURLs: "*" matches every URL', only({ nonResourceURLs: ['*'] }), url('get', '/metrics'), 'Request'],
  ['nonResourceURLs: never match resource requests', only({ nonResourceURLs: ['*'] }), on('get', '', 'pods'), 'Metadata'],
  ['resources: never match non-resource URLs', only({ resources: [{ group: '' }] }), url('get', '/api'), 'Metadata'],
  // combined fields are an intersection
  [
    'intersection: user, verb and resource must all match',
    only({ users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ group: '', resources: ['endpoints'] }] }),
    on('watch', '', 'endpoints', {}, proxy),
    'Request',
  ],
  [
    'intersection: one field off and the rule does not match',
    only({ users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ group: '', resources: ['endpoints'] }] }),
    on('list', '', 'endpoints', {}, proxy),
    'Metadata',
  ],
  // ordering
  [
    'first match wins: an earlier None hides a later Request',
    { rules: [{ level: 'None', userGroups: ['system:nodes'] }, { level: 'RequestResponse', resources: [{ group: '' }] }] },
    on('get', '', 'pods', {}, node),
    'None',
  ],
  [
    'first match wins: order decides between overlapping rules',
    { rules: [{ level: 'RequestResponse', resources: [{ group: '' }] }, { level: 'None', userGroups: ['system:nodes'] }] },
    on('get', '', 'pods', {}, node),
    'RequestResponse',
  ],
  ['no rule matches: level None', { rules: [{ level: 'Metadata', verbs: ['create'] }] }, on('get', '', 'pods'), 'None'],
];

describe('evaluatePolicy: the level kube-apiserver gives a request', () => {
  it.each(cases)('%s', (_name, policy, request, level) => {
    expect(evaluatePolicy(policy, request).level).toBe(level);
  });

  it('reports the deciding rule by index, none for the default', () => {
    const policy: AuditPolicy = { rules: [{ level: 'None', verbs: ['watch'] }, { level: 'Metadata', verbs: ['get'] }] };
    expect(evaluatePolicy(policy, on('get', '', 'pods')).ruleIndex).toBe(1);
    expect(evaluatePolicy(policy, on('list', '', 'pods')).ruleIndex).toBeUndefined();
  });
});

describe('omitStages and the stages a request produces', () => {
  const exec = on('create', '', 'pods', { subresource: 'exec' });
  const create = on('create', '', 'pods');

  it('long-running requests (exec, watch) add ResponseStarted', () => {
    const policy: AuditPolicy = { rules: [{ level: 'Metadata' }] };
    expect(loggedStages(evaluatePolicy(policy, exec), exec)).toEqual(['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
    expect(loggedStages(evaluatePolicy(policy, create), create)).toEqual(['RequestReceived', 'ResponseComplete']);
    const watch = on('watch', '', 'pods');
    expect(loggedStages(evaluatePolicy(policy, watch), watch)).toContain('ResponseStarted');
  });

  it('policy-level omitStages applies to every rule', () => {
    const policy: AuditPolicy = { omitStages: ['RequestReceived'], rules: [{ level: 'Metadata' }] };
    expect(loggedStages(evaluatePolicy(policy, exec), exec)).toEqual(['ResponseStarted', 'ResponseComplete']);
  });

  it('rule-level omitStages is unioned with the policy-level list', () => {
    const policy: AuditPolicy = {
      omitStages: ['RequestReceived'],
      rules: [{ level: 'Metadata', resources: [{ group: '', resources: ['pods/exec'] }], omitStages: ['ResponseComplete'] }, { level: 'Metadata' }],
    };
    expect(loggedStages(evaluatePolicy(policy, exec), exec)).toEqual(['ResponseStarted']);
    expect(loggedStages(evaluatePolicy(policy, create), create)).toEqual(['ResponseComplete']);
  });

  it('omitting ResponseComplete leaves a normal request with RequestReceived only', () => {
    const policy: AuditPolicy = { rules: [{ level: 'Metadata', omitStages: ['ResponseComplete'] }] };
    expect(loggedStages(evaluatePolicy(policy, create), create)).toEqual(['RequestReceived']);
  });

  it('level None logs no stage at all', () => {
    const policy: AuditPolicy = { rules: [{ level: 'None' }] };
    expect(loggedStages(evaluatePolicy(policy, exec), exec)).toEqual([]);
  });

  it('omitManagedFields: a rule overrides the policy default', () => {
    const policy: AuditPolicy = { omitManagedFields: true, rules: [{ level: 'Request', verbs: ['create'], omitManagedFields: false }, { level: 'Request' }] };
    expect(evaluatePolicy(policy, create).omitManagedFields).toBe(false);
    expect(evaluatePolicy(policy, on('update', '', 'pods')).omitManagedFields).toBe(true);
  });
});

describe('the Kubernetes documentation example, read from YAML', () => {
  const { policy } = parseAuditPolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: RequestResponse
    resources: [{group: "", resources: ["pods"]}]
  - level: Metadata
    resources: [{group: "", resources: ["pods/log", "pods/status"]}]
  - level: None
    resources: [{group: "", resources: ["configmaps"], resourceNames: ["controller-leader"]}]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources: [{group: "", resources: ["endpoints", "services"]}]
  - level: None
    userGroups: ["system:authenticated"]
    nonResourceURLs: ["/api*", "/version"]
  - level: Request
    resources: [{group: "", resources: ["configmaps"]}]
    namespaces: ["kube-system"]
  - level: Metadata
    resources: [{group: "", resources: ["secrets", "configmaps"]}]
  - level: Request
    resources: [{group: ""}, {group: "extensions"}]
  - level: Metadata
`);
  it.each<[string, RequestShape, AuditLevel]>([
    ['pods get', on('get', '', 'pods'), 'RequestResponse'],
    ['pods/log', on('get', '', 'pods', { subresource: 'log' }), 'Metadata'],
    ['pods/exec falls to the core-group Request rule', on('create', '', 'pods', { subresource: 'exec' }), 'Request'],
    ['controller-leader config map', on('update', '', 'configmaps', { name: 'controller-leader', namespace: 'kube-system' }), 'None'],
    ['kube-system config maps', on('update', '', 'configmaps', { name: 'x', namespace: 'kube-system' }), 'Request'],
    ['other config maps', on('update', '', 'configmaps', { name: 'x' }), 'Metadata'],
    ['secrets', on('get', '', 'secrets'), 'Metadata'],
    ['kube-proxy watching services', on('watch', '', 'services', {}, proxy), 'None'],
    ['kube-proxy listing services', on('list', '', 'services', {}, proxy), 'Request'],
    ['authenticated discovery', url('get', '/apis/apps'), 'None'],
    ['anonymous discovery', url('get', '/api', anonymous), 'Metadata'],
    ['RBAC writes hit the catch-all', on('create', 'rbac.authorization.k8s.io', 'clusterrolebindings', { namespace: '' }), 'Metadata'],
  ])('%s', (_name, request, level) => {
    expect(evaluatePolicy(policy, request).level).toBe(level);
  });
});
