import { describe, expect, it } from 'vitest';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import type { VigilEvent } from '../model/event.js';
import { compileCondition, ConditionError, type ConditionCache } from './condition.js';

function audit(overrides: Record<string, unknown> = {}): VigilEvent {
  const raw = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: 'a-1',
    stage: 'ResponseComplete',
    verb: 'create',
    requestURI: '/api/v1/namespaces/shop/pods',
    user: { username: 'alice@example.com', groups: ['system:authenticated', 'developers'] },
    sourceIPs: ['10.20.0.15'],
    userAgent: 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819',
    objectRef: { resource: 'pods', namespace: 'shop', name: 'web-1', apiVersion: 'v1' },
    responseStatus: { code: 201 },
    requestReceivedTimestamp: '2026-03-02T10:00:00Z',
    annotations: { 'authorization.k8s.io/decision': 'allow' },
    requestObject: {
      kind: 'Pod',
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.25', securityContext: { privileged: false } },
          { name: 'sidecar', image: 'envoy:1.29', securityContext: { privileged: true } },
        ],
      },
    },
    ...overrides,
  };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'test');
}

const LISTS = new Map([['admins', ['root', 'alice@example.com']]]);
const matches = (condition: unknown, event: VigilEvent = audit()): boolean => compileCondition(condition, LISTS, 'match').test(event);

describe('field conditions', () => {
  it('compares normalized fields by ECS name or alias, exactly', () => {
    expect(matches({ 'event.action': 'create' })).toBe(true);
    expect(matches({ verb: 'create', resource: 'pods', ns: 'shop' })).toBe(true);
    expect(matches({ verb: 'delete' })).toBe(false);
    expect(matches({ user: 'ALICE@example.com' })).toBe(false);
    expect(matches({ 'user|i': 'ALICE@example.com' })).toBe(true);
  });

  it('treats a list of values as any of them, and named lists as their items', () => {
    expect(matches({ verb: ['get', 'create'] })).toBe(true);
    expect(matches({ user: { list: 'admins' } })).toBe(true);
    expect(matches({ user: [{ list: 'admins' }, 'bob'] })).toBe(true);
    expect(matches({ verb: ['get', 'list'] })).toBe(false);
  });

  it('compares numbers and booleans with their text form', () => {
    expect(matches({ code: 201 })).toBe(true);
    expect(matches({ code: '201' })).toBe(true);
    expect(matches({ 'requestObject.spec.containers[*].securityContext.privileged': true })).toBe(true);
    expect(matches({ 'requestObject.spec.containers[0].securityContext.privileged': true })).toBe(false);
  });

  it('matches patterns case-insensitively unless |cased', () => {
    expect(matches({ 'user_agent.original|startswith': 'KUBECTL/' })).toBe(true);
    expect(matches({ 'user_agent.original|startswith|cased': 'KUBECTL/' })).toBe(false);
    expect(matches({ 'ua|contains': ['curl', 'linux/amd64'] })).toBe(true);
    expect(matches({ 'ua|endswith': '4b8e819' })).toBe(true);
    expect(matches({ 'user|wildcard': '*@EXAMPLE.com' })).toBe(true);
    expect(matches({ 'uri|regex': '^/api/v1/namespaces/[a-z]+/pods$' })).toBe(true);
    expect(matches({ 'uri|regex': 'deployments' })).toBe(false);
  });

  it('checks addresses against CIDR networks', () => {
    expect(matches({ 'source.ip|cidr': ['10.0.0.0/8'] })).toBe(true);
    expect(matches({ 'source.ip|cidr': ['192.168.0.0/16', 'fd00::/8'] })).toBe(false);
  });

  it('compares numbers', () => {
    expect(matches({ 'code|gte': 200, 'code|lt': 300 })).toBe(true);
    expect(matches({ 'code|gt': 201 })).toBe(false);
  });

  it('tests presence with |exists and with null', () => {
    expect(matches({ 'subresource|exists': false })).toBe(true);
    expect(matches({ subresource: null })).toBe(true);
    expect(matches({ 'requestObject.spec.containers[*].image|exists': true })).toBe(true);
    expect(matches({ 'requestObject.spec.volumes|exists': true })).toBe(false);
  });

  it('fans out over arrays: any value by default, every value with |all', () => {
    expect(matches({ 'requestObject.spec.containers.image|startswith': 'envoy' })).toBe(true);
    expect(matches({ 'requestObject.spec.containers.image|all|startswith': 'envoy' })).toBe(false);
    expect(matches({ 'requestObject.spec.containers.image|all|contains': ':1.' })).toBe(true);
    expect(matches({ 'groups|all|startswith': 'system:' })).toBe(false);
    expect(matches({ 'groups|all|wildcard': ['system:*', 'dev*'] })).toBe(true);
    expect(matches({ 'requestObject.spec.volumes.hostPath.path|all': '/' })).toBe(false);
  });

  it('reads derived pod-spec fields for pods and workload templates', () => {
    expect(matches({ 'vigil.k8s.containers.securityContext.privileged': true })).toBe(true);
    expect(matches({ 'vigil.k8s.image_repositories': 'envoy' })).toBe(true);
    const deployment = audit({
      objectRef: { resource: 'deployments', namespace: 'shop', name: 'web', apiGroup: 'apps' },
      requestObject: { kind: 'Deployment', spec: { template: { spec: { hostPID: true, containers: [{ image: 'busybox' }] } } } },
    });
    expect(matches({ 'vigil.k8s.pod_spec.hostPID': true }, deployment)).toBe(true);
  });
});

describe('combinators', () => {
  it('ANDs the entries of a mapping; all/any/not nest', () => {
    expect(matches({ verb: 'create', not: { user: 'bob' } })).toBe(true);
    expect(matches({ any: [{ verb: 'get' }, { resource: 'pods' }] })).toBe(true);
    expect(matches({ all: [{ verb: 'create' }, { resource: 'secrets' }] })).toBe(false);
    expect(matches({ not: { any: [{ ns: 'shop' }, { ns: 'payments' }] } })).toBe(false);
    expect(matches([{ verb: 'get' }, { verb: 'create' }])).toBe(true);
  });

  it('matches every event when there is no condition', () => {
    expect(matches(undefined)).toBe(true);
  });
});

describe('index hints', () => {
  const hints = (condition: unknown) => compileCondition(condition, LISTS, 'match').hints;

  it('takes verbs, resources and actor kinds from top-level equality', () => {
    expect(hints({ verb: ['create', 'update'], resource: 'pods', actor: 'human', user: 'x' })).toEqual({
      verb: new Set(['create', 'update']),
      resource: new Set(['pods']),
      actor: new Set(['human']),
    });
  });

  it('intersects within all, unions across any, and gives up for partial any', () => {
    expect(hints({ verb: ['create', 'update'], all: [{ verb: ['update', 'patch'] }] }).verb).toEqual(new Set(['update']));
    expect(hints({ any: [{ verb: 'create', resource: 'pods' }, { verb: 'patch', resource: 'deployments' }] })).toEqual({
      verb: new Set(['create', 'patch']),
      resource: new Set(['pods', 'deployments']),
    });
    expect(hints({ any: [{ verb: 'create' }, { user: 'bob' }] }).verb).toBeUndefined();
    expect(hints({ 'verb|i': 'GET' }).verb).toBeUndefined();
  });

  it('inverts only an exact actor condition under not', () => {
    expect(hints({ not: { actor: ['node', 'controller'] } })).toEqual({ actor: new Set(['human', 'serviceaccount', 'anonymous', '']) });
    expect(hints({ not: { verb: 'get' } })).toEqual({});
    expect(hints({ not: { actor: 'node', user: 'x' } })).toEqual({});
    expect(hints({ not: { any: [{ actor: 'node' }, { user: 'x' }] } })).toEqual({});
  });
});

describe('shared sub-conditions', () => {
  it('compiles identical conditions once per cache and evaluates them once per event', () => {
    const cache: ConditionCache = new Map();
    let reads = 0;
    const counting = audit();
    const spy = new Proxy(counting, {
      get(target, key, receiver) {
        if (key === 'action') reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const first = compileCondition({ verb: 'create', ns: 'shop' }, LISTS, 'a', cache);
    const second = compileCondition({ ns: 'shop', verb: 'create' }, LISTS, 'b', cache);
    expect(second).toBe(first);
    const third = compileCondition({ verb: 'create', user: 'alice@example.com' }, LISTS, 'c', cache);
    expect([first.test(spy), second.test(spy), third.test(spy)]).toEqual([true, true, true]);
    expect(reads).toBe(1);
  });
});

describe('mistakes', () => {
  const problem = (condition: unknown): ConditionError => {
    try {
      compileCondition(condition, LISTS, 'match');
    } catch (error) {
      return error as ConditionError;
    }
    throw new Error('expected a ConditionError');
  };

  it('name the key path and what is wrong', () => {
    expect(problem({ any: [{ 'verb|equals': 'x' }] })).toMatchObject({ key: 'match.any[0].verb|equals', message: expect.stringMatching(/unknown or repeated modifier "equals"/) });
    expect(problem({ 'vigil.nope': 1 })).toMatchObject({ key: 'match.vigil.nope', message: expect.stringMatching(/unknown field/) });
    expect(problem({ user: { list: 'missing' } })).toMatchObject({ message: expect.stringMatching(/unknown list "missing"/) });
    expect(problem({ 'code|gt': 'x' }).message).toMatch(/takes one number/);
    expect(problem({ 'ip|cidr': '10.0.0.0/40' }).message).toMatch(/prefix length/);
    expect(problem({ 'uri|regex': '(' }).message).toMatch(/invalid regex/);
    expect(problem({ all: [] }).message).toMatch(/non-empty list/);
    expect(problem({ 'x|exists': 'yes' }).message).toMatch(/true or false/);
    expect(problem('verb=get').message).toMatch(/expected a mapping/);
  });
});
