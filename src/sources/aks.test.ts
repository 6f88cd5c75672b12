import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../model/redact.js';
import { aksSource } from './aks.js';

const message = JSON.parse(readFileSync(new URL('../../test/fixtures/aks/event-hub-message.json', import.meta.url), 'utf8')) as { records: Array<Record<string, unknown>> };
const context = { cluster: 'shop-aks' };
const decode = (value: unknown, text = JSON.stringify(value)) => aksSource.decode(value, text, context);
const [execRecord, secretRecord, guardRecord] = message.records;

describe('aks source', () => {
  it('recognises AKS control-plane resource logs and Event Hub batches of them only', () => {
    expect(aksSource.recognises(message)).toBe(true);
    expect(aksSource.recognises(execRecord)).toBe(true);
    expect(aksSource.recognises({ ...execRecord, category: 'AppServiceHTTPLogs' })).toBe(false);
    expect(aksSource.recognises({ ...execRecord, resourceId: '/SUBSCRIPTIONS/1/PROVIDERS/MICROSOFT.WEB/SITES/X', operationName: 'Microsoft.Web/sites/log' })).toBe(false);
    expect(aksSource.recognises({ records: [{ category: 'kube-audit' }] })).toBe(false);
  });

  it('normalizes kube-audit records (properties.log a JSON string) as audit events with the API server pod', () => {
    const { events, rejections } = decode(execRecord);
    expect(rejections).toEqual([]);
    expect(events[0]).toMatchObject({
      source: 'cloud.aks',
      action: 'create',
      userName: 'alice@contoso.com',
      actorKind: 'human',
      namespace: 'payments',
      resourceType: 'pods',
      resourceName: 'api-7d9c-x2x',
      subresource: 'exec',
      stage: 'ResponseStarted',
      statusCode: 101,
      podName: 'kube-apiserver-6b9d8f7c5d-4xk2p',
      containerId: '5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f',
    });
    expect(events[0].record).toBe(JSON.stringify(execRecord));
  });

  it('reads properties.log given as an object too, and counts AKS system identities as controllers', () => {
    const audit = JSON.parse((execRecord.properties as { log: string }).log);
    const objectRecord = { ...execRecord, category: 'kube-audit-admin', properties: { ...(execRecord.properties as object), log: { ...audit, user: { username: 'aksService' } } } };
    const [event] = decode(objectRecord).events;
    expect(event).toMatchObject({ source: 'cloud.aks', userName: 'aksService', actorKind: 'controller', auditId: audit.auditID });
  });

  it('redacts Secret values inside properties.log and keeps it a string', () => {
    const [event] = decode(secretRecord).events;
    const stored = JSON.parse(event.record);
    expect(typeof stored.properties.log).toBe('string');
    expect(JSON.parse(stored.properties.log).requestObject.data).toEqual({ key: REDACTED });
    expect(event.record).not.toContain('c2tfbGl2ZV9leGFtcGxl');
    expect(event.raw).toMatchObject({ responseObject: { data: { key: REDACTED } } });
  });

  it('keeps guard and component lines searchable, with their klog level', () => {
    const [event] = decode(guardRecord).events;
    expect(event).toMatchObject({
      source: 'cloud.aks',
      category: 'authentication',
      logLevel: 'error',
      podName: 'guard-5f6b7c8d9e-2mzt7',
      message: 'Authentication failed: token signature is invalid for user bob@contoso.com',
      timestamp: Date.parse('2026-03-02T10:12:00.000Z'),
    });
    expect(event.auditId).toBeUndefined();
  });

  it('decodes every record of a batch and quarantines a broken one with its index', () => {
    const broken = { ...execRecord, properties: { ...(execRecord.properties as object), log: '{"kind":"Event"' } };
    const { events, rejections } = decode({ records: [execRecord, broken, guardRecord] });
    expect(events).toHaveLength(2);
    expect(rejections).toMatchObject([{ where: 'records[1]', reason: 'AKS kube-audit record: properties.log is not JSON (it should hold the audit Event as a JSON string)' }]);
  });
});
