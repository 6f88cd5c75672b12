import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { k8sAuditSource } from './k8s-audit.js';
import { k8sEventSource } from './k8s-event.js';
import { resourceOfKind } from './k8s-event/resource-name.js';
import { recogniseSource } from './registry.js';

const shared = (name: string) => JSON.parse(readFileSync(new URL(`../../../shared/fixtures/k8s-events/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
const decode = (value: unknown) => k8sEventSource.decode(value, JSON.stringify(value), { cluster: 'c1' });

const coreEvent = (resourceVersion: string, count: number) => ({
  kind: 'Event',
  apiVersion: 'v1',
  metadata: { name: 'web-0.17a', namespace: 'shop', uid: 'u-1', resourceVersion },
  involvedObject: { kind: 'Pod', namespace: 'shop', name: 'web-0', apiVersion: 'v1' },
  reason: 'BackOff',
  message: 'Back-off restarting failed container',
  type: 'Warning',
  source: { component: 'kubelet', host: 'node-1' },
  count,
  firstTimestamp: '2026-01-12T09:00:00Z',
  lastTimestamp: `2026-01-12T09:0${count}:00Z`,
});

describe('k8s-event source', () => {
  it('normalizes the core/v1 watch frame from minikube field by field', () => {
    const { events, rejections } = decode(shared('watch_v1_with_lastTimestamp.json'));
    expect(rejections).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      source: 'k8s.event',
      cluster: 'c1',
      timestamp: Date.parse('2024-07-31T18:47:15Z'),
      action: 'FailedMount',
      namespace: 'default',
      resourceType: 'pods',
      resourceName: 'fluent-bit-78945dccd8-hvr55',
      podName: 'fluent-bit-78945dccd8-hvr55',
      hostName: 'minikube',
      userName: 'kubelet',
      actorKind: 'node',
      logLevel: 'warning',
      message: 'MountVolume.SetUp failed for volume "config-volume" : configmap "fluent-bit-config" not found',
    });
    expect(events[0].raw).toMatchObject({ kind: 'Event', count: 16 });
    expect(JSON.parse(events[0].record)).toEqual(events[0].raw);
  });

  it('reads an EventList whose items lack kind, using eventTime and the scheduler as reporter', () => {
    const { events } = decode(shared('eventlist_v1_with_creationTimestamp.json'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      timestamp: Date.parse('2023-12-24T13:37:16.335172Z'),
      action: 'FailedScheduling',
      userName: 'default-scheduler',
      actorKind: 'controller',
      hostName: undefined,
      logLevel: 'warning',
    });
    expect(events[0].raw).toMatchObject({ kind: 'Event', apiVersion: 'v1', reason: 'FailedScheduling' });
  });

  it('falls back to source.component when reportingComponent is empty, and to metadata.namespace', () => {
    const { events } = decode(shared('eventlist_v1_with_lastTimestamp.json'));
    expect(events[0]).toMatchObject({
      userName: 'k8s.io/minikube-hostpath_minikube_31f5cdfb-29b0-4f84-9f9c-585088e9235f',
      namespace: 'default',
      resourceType: 'endpoints',
      resourceName: undefined,
      logLevel: 'info',
      timestamp: Date.parse('2023-12-24T09:29:51Z'),
    });
  });

  it('reads the events.k8s.io/v1 shape: regarding, note, reportingController, series', () => {
    const event = {
      kind: 'Event',
      apiVersion: 'events.k8s.io/v1',
      metadata: { name: 'x.1', namespace: 'ns', uid: 'u-9', resourceVersion: '7' },
      eventTime: '2026-01-12T09:00:00.000001Z',
      series: { count: 4, lastObservedTime: '2026-01-12T09:05:00.000000Z' },
      reportingController: 'kubelet',
      reportingInstance: 'node-7',
      action: 'Pulling',
      reason: 'Failed',
      regarding: { kind: 'Pod', namespace: 'ns', name: 'p', apiVersion: 'v1' },
      note: 'Failed to pull image',
      type: 'Warning',
    };
    const [normalized] = decode(event).events;
    expect(normalized).toMatchObject({ userName: 'kubelet', hostName: 'node-7', message: 'Failed to pull image', podName: 'p', timestamp: Date.parse('2026-01-12T09:05:00Z') });
  });

  it('keeps every update of an Event (count going up) and recognises a re-read of the same version', () => {
    const [first] = decode(coreEvent('10', 1)).events;
    const [update] = decode(coreEvent('11', 2)).events;
    const [again] = decode(coreEvent('11', 2)).events;
    expect(update.id).not.toBe(first.id);
    expect(again.id).toBe(update.id);
  });

  it('skips bookmarks and deletions, and quarantines error frames with their reason', () => {
    expect(decode({ type: 'BOOKMARK', object: { kind: 'Event', apiVersion: 'v1', metadata: { resourceVersion: '9' } } })).toEqual({ events: [], rejections: [] });
    expect(decode({ type: 'DELETED', object: coreEvent('12', 2) })).toEqual({ events: [], rejections: [] });
    const error = decode({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } });
    expect(error.rejections[0].reason).toBe('watch ERROR frame: 410 too old resource version');
  });

  it('is recognised for Event objects, lists and frames but never for audit events', () => {
    const audit = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'a', stage: 'ResponseComplete', verb: 'get' };
    expect(recogniseSource(coreEvent('1', 1))).toBe(k8sEventSource);
    expect(recogniseSource({ type: 'ADDED', object: coreEvent('1', 1) })).toBe(k8sEventSource);
    expect(recogniseSource({ kind: 'List', apiVersion: 'v1', items: [coreEvent('1', 1)] })).toBe(k8sEventSource);
    expect(recogniseSource(audit)).toBe(k8sAuditSource);
    expect(recogniseSource({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [audit] })).toBe(k8sAuditSource);
    expect(k8sEventSource.recognises({ kind: 'Event', auditID: 'a', stage: 'x' })).toBe(false);
    expect(k8sEventSource.recognises({ type: 'ADDED', object: { kind: 'Pod', apiVersion: 'v1', metadata: {} } })).toBe(false);
    expect(k8sEventSource.recognises({ kind: 'List', apiVersion: 'v1', items: [] })).toBe(false);
  });

  it('quarantines an Event without a usable time or identity', () => {
    const noTime = { ...coreEvent('1', 1), firstTimestamp: null, lastTimestamp: null };
    expect(decode(noTime).rejections[0].reason).toMatch(/no valid lastTimestamp/);
    const noIdentity = { ...coreEvent('1', 1), metadata: { namespace: 'x' } };
    expect(decode(noIdentity).rejections[0].reason).toMatch(/without metadata.uid or metadata.name/);
  });
});

describe('resourceOfKind', () => {
  it('names resources as the audit log does', () => {
    expect(['Pod', 'Endpoints', 'Ingress', 'NetworkPolicy', 'Secret', 'ReplicaSet'].map(resourceOfKind)).toEqual(['pods', 'endpoints', 'ingresses', 'networkpolicies', 'secrets', 'replicasets']);
  });
});
