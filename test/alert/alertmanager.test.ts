import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAlertmanager, Receiver, alertJson, drain, harness, startAlertmanager, waitFor } from './helpers.js';

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string };
  startsAt: string;
  endsAt: string;
}

/** Vigil posting to a real Prometheus Alertmanager (Debian package), which routes on to its own receiver. */
describe('alertmanager sink against a real Alertmanager', () => {
  let alertmanager: RunningAlertmanager;
  let hook: Receiver;

  beforeAll(async () => {
    hook = await Receiver.start();
    alertmanager = await startAlertmanager({ webhookUrl: `${hook.url}/from-alertmanager` });
  });
  afterAll(async () => {
    await alertmanager?.stop();
    await hook?.down();
  });

  const activeAlerts = async (): Promise<GettableAlert[]> => (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as GettableAlert[];

  it('shows Vigil alerts in its API with their labels, marks acknowledgements, and drops resolved ones', async () => {
    const h = await harness(`
receivers:
  am: {type: alertmanager, url: "${alertmanager.url}"}
route: {receivers: [am], group_wait: 0s, group_interval: 0s}
external_url: https://vigil.example
`);
    const critical = alertJson({ severity: 'critical', rule: 'k8s-cluster-admin-binding', user: 'eve@example.com', namespace: 'kube-system' });
    const high = alertJson({ severity: 'high', rule: 'k8s-exec-into-pod', user: 'bob@example.com' });
    await h.detected(critical, high);
    h.notifier.tick(Date.now());
    await drain(h);
    const listed = await waitFor('both alerts in alertmanager', async () => {
      const alerts = (await activeAlerts()).filter((alert) => [critical.id, high.id].includes(alert.labels.vigil_alert));
      return alerts.length === 2 ? alerts : undefined;
    });
    const criticalInAm = listed.find((alert) => alert.labels.vigil_alert === critical.id);
    expect(criticalInAm?.labels).toMatchObject({ alertname: 'k8s-cluster-admin-binding', severity: 'critical', cluster: 'prod', user: 'eve@example.com', namespace: 'kube-system', techniques: 'T1485' });
    expect(criticalInAm?.annotations).toMatchObject({ title: 'Rule k8s-cluster-admin-binding', vigil_id: critical.id });
    expect(criticalInAm?.status.state).toBe('active');

    await h.service.as('alice').acknowledge(critical.id, 'investigating');
    await h.service.as('alice').resolve(high.id, 'expected debugging');
    h.notifier.tick(Date.now());
    await drain(h);
    await waitFor('the resolved alert to leave alertmanager and the acknowledgement to show', async () => {
      const alerts = (await activeAlerts()).filter((alert) => [critical.id, high.id].includes(alert.labels.vigil_alert));
      return alerts.length === 1 && alerts[0].annotations.acknowledged_by === 'alice' ? true : undefined;
    });
    // Alertmanager's own routing carried both on, resolved included (send_resolved).
    await waitFor('alertmanager to notify its webhook of the resolution', () =>
      hook.requests.some((request) => (request.json as { status: string; alerts: Array<{ labels: Record<string, string>; status: string }> }).alerts?.some((alert) => alert.labels.vigil_alert === high.id && alert.status === 'resolved')),
    );
    await h.close();
  });
});
