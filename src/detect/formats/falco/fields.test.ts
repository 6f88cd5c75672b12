import { describe, expect, it } from 'vitest';
import { auditEvent } from '../../../../test/detect-formats/audit-event.js';
import { falcoField, falcoImageRepository, FalcoFieldError } from './fields.js';

const read = (name: string, arg?: string, event = auditEvent()) => falcoField(name, arg).extract(event);

describe('ka.* fields', () => {
  it('render every value as the k8saudit plugin does: strings as they are, the rest as JSON text', () => {
    expect(read('ka.verb')).toBe('create');
    expect(read('ka.response.code')).toBe('201');
    expect(read('ka.req.pod.host_network', undefined, auditEvent({ requestObject: { spec: { hostNetwork: true } } }))).toBe('true');
    expect(read('ka.req.configmap.obj', undefined, auditEvent({ requestObject: { data: { password: 'x' } } }))).toBe('{"password":"x"}');
  });

  it('leave a missing path unset, and read nothing from a record without auditID', () => {
    expect(read('ka.target.subresource')).toBeUndefined();
    expect(read('ka.impuser.name')).toBeUndefined();
    const noAuditId = { ...auditEvent(), raw: { ...auditEvent().raw, auditID: undefined } };
    expect(falcoField('ka.verb', undefined).extract(noAuditId)).toBeUndefined();
    expect(falcoField('jevt.value', '/verb').extract(noAuditId)).toBe('create');
  });

  it('give list fields one value per container, skipping containers without the setting', () => {
    expect(read('ka.req.pod.containers.image')).toEqual(['nginx:1.25', 'registry.example.com:5000/envoy@sha256:abc']);
    expect(read('ka.req.pod.containers.privileged')).toEqual(['false', 'true']);
    expect(read('ka.req.pod.containers.privileged', '1')).toEqual(['true']);
    expect(read('ka.req.pod.containers.add_capabilities')).toEqual(['["NET_ADMIN"]']);
    expect(read('ka.req.pod.initContainers.image')).toBeUndefined();
    expect(read('ka.req.pod.volumes.hostpath')).toEqual(['/var/run/docker.sock']);
    expect(read('ka.req.container.privileged')).toBe('true');
    expect(read('ka.req.container.image')).toBe('nginx:1.25');
  });

  it('split image repositories on the first ":" then "@", as the plugin does (a registry port is cut)', () => {
    expect(read('ka.req.pod.containers.image.repository')).toEqual(['nginx', 'registry.example.com']);
    expect(falcoImageRepository('docker.io/falcosecurity/falco@sha256:1234')).toBe('docker.io/falcosecurity/falco');
  });

  it('treat an unreadable image list as unset: one container without an image spoils it', () => {
    const event = auditEvent({ requestObject: { spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b' }] } } });
    expect(read('ka.req.pod.containers.image', undefined, event)).toBeUndefined();
  });

  it('flatten role rules and read query parameters and deprecated host path checks', () => {
    const role = auditEvent({ requestObject: { rules: [{ verbs: ['get', 'list'], resources: ['pods'] }, { verbs: ['*'], resources: ['pods/exec'] }] } });
    expect(read('ka.req.role.rules.verbs', undefined, role)).toEqual(['get', 'list', '*']);
    expect(read('ka.req.role.rules.resources', '1', role)).toEqual(['pods/exec']);
    const exec = auditEvent({ requestURI: '/api/v1/namespaces/shop/pods/web/exec?command=sh&command=-c&container=web' });
    expect(read('ka.uri.param', 'command', exec)).toBe('sh');
    expect(read('ka.uri.param', 'stdin', exec)).toBeUndefined();
    expect(read('ka.req.volume.hostpath', '/var/run*')).toBe('true');
    expect(read('ka.req.volume.hostpath', '/proc')).toBe('false');
  });

  it('name the binding subjects by kind', () => {
    const binding = auditEvent({ requestObject: { roleRef: { name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'eve' }, { kind: 'ServiceAccount', name: 'default', namespace: 'shop' }] } });
    expect(read('ka.req.binding.role', undefined, binding)).toBe('cluster-admin');
    expect(read('ka.req.binding.subjects.user_names', undefined, binding)).toEqual(['eve']);
    expect(read('ka.req.binding.subjects.serviceaccount_ns_names', undefined, binding)).toEqual(['shop:default']);
  });
});

describe('jevt.* / json.* fields', () => {
  it('walk RFC 6901 pointers with ~1 and ~0 escapes', () => {
    expect(read('jevt.value', '/annotations/authorization.k8s.io~1decision')).toBe('allow');
    expect(read('json.value', '/requestObject/spec/containers/1/name')).toBe('sidecar');
    expect(read('jevt.value', '/a~1~0b')).toBeUndefined();
  });

  it('give the event time in nanoseconds as jevt.rawtime', () => {
    const field = falcoField('jevt.rawtime', undefined);
    expect(field.numeric).toBe(true);
    expect(field.extract(auditEvent())).toBe(`${Date.parse('2026-03-02T10:00:00Z')}000000`);
  });
});

describe('falcoField', () => {
  it('refuses unknown fields and missing or unexpected arguments', () => {
    expect(() => falcoField('proc.name', undefined)).toThrow(FalcoFieldError);
    expect(() => falcoField('ka.uri.param', undefined)).toThrow(/needs an argument/);
    expect(() => falcoField('ka.verb', 'x')).toThrow(/takes no argument/);
    expect(() => falcoField('ka.req.pod.containers.image', 'first')).toThrow(/numeric index/);
  });
});
