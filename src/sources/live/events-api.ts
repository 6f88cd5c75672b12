import type { KubeConfig } from '@kubernetes/client-node';
import { discard, kubeGet } from './kube-http.js';

/** The two APIs that serve Event objects; events.k8s.io/v1 is preferred, core/v1 is everywhere. */
export type EventsApi = 'events.k8s.io/v1' | 'v1';

export function eventsPath(api: EventsApi, namespace: string | undefined): string {
  const base = api === 'v1' ? '/api/v1' : '/apis/events.k8s.io/v1';
  return namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/events` : `${base}/events`;
}

/** events.k8s.io/v1 when the server's discovery document lists it (Kubernetes ≥ 1.19), else core/v1. */
export async function discoverEventsApi(config: KubeConfig, signal: AbortSignal, timeoutMs: number): Promise<EventsApi> {
  const response = await kubeGet(config, '/apis/events.k8s.io/v1', {}, signal, timeoutMs);
  const body = await discard(response);
  if (response.statusCode === 200) return servesEvents(body) ? 'events.k8s.io/v1' : 'v1';
  if (response.statusCode === 404) return 'v1';
  throw new Error(`discovering the events API: HTTP ${response.statusCode} ${body.slice(0, 200)}`);
}

/** Whether an APIResourceList names the `events` resource. */
function servesEvents(body: string): boolean {
  try {
    const list = JSON.parse(body) as { resources?: Array<{ name?: unknown }> };
    return Array.isArray(list.resources) && list.resources.some((resource) => resource.name === 'events');
  } catch {
    return false;
  }
}
