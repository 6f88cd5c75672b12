import type { AlertFilter } from '../detect/alert-store.js';
import { AlertActionError } from './alert-action-error.js';
import type { AlertDetail, AlertOperations, AlertView, DeliveryFilter, DeliveryView, RoutesView, SilenceInput, SilenceView } from './operations.js';

/** `vigil alerts … --server URL`: the same operations through a running server's /api/v1/alerts. */
export class AlertsApiClient implements AlertOperations {
  private readonly base: string;

  constructor(
    server: string,
    private readonly token: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  list(filter: AlertFilter): Promise<AlertView[]> {
    return this.request('GET', `/api/v1/alerts${query({ status: filter.status, severity: filter.severity, rule: filter.ruleId, cluster: filter.cluster, since: filter.since === undefined ? undefined : new Date(filter.since).toISOString(), limit: filter.limit })}`);
  }

  async show(id: string): Promise<AlertDetail | undefined> {
    try {
      return await this.request<AlertDetail>('GET', `/api/v1/alerts/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof AlertActionError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  acknowledge(id: string, reason: string): Promise<AlertView> {
    return this.request('POST', `/api/v1/alerts/${encodeURIComponent(id)}/ack`, { reason });
  }

  resolve(id: string, reason: string): Promise<AlertView> {
    return this.request('POST', `/api/v1/alerts/${encodeURIComponent(id)}/resolve`, { reason });
  }

  silence(input: SilenceInput): Promise<SilenceView> {
    return this.request('POST', '/api/v1/alerts/silences', input);
  }

  unsilence(id: string): Promise<SilenceView> {
    return this.request('DELETE', `/api/v1/alerts/silences/${encodeURIComponent(id)}`);
  }

  silences(): Promise<SilenceView[]> {
    return this.request('GET', '/api/v1/alerts/silences');
  }

  deliveries(filter: DeliveryFilter): Promise<DeliveryView[]> {
    return this.request('GET', `/api/v1/alerts/deliveries${query({ status: filter.status, receiver: filter.receiver, alert: filter.alertId, limit: filter.limit })}`);
  }

  requeue(id: number): Promise<DeliveryView> {
    return this.request('POST', `/api/v1/alerts/deliveries/${id}/retry`);
  }

  routes(): Promise<RoutesView> {
    return this.request('GET', '/api/v1/alerts/routes');
  }

  replaceRoutes(route: unknown): Promise<RoutesView> {
    return this.request('PUT', '/api/v1/alerts/routes', route);
  }

  resetRoutes(): Promise<RoutesView> {
    return this.request('DELETE', '/api/v1/alerts/routes');
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : (error as Error).message;
      throw new Error(`cannot reach ${this.base}: ${cause}; is vigil serve running there?`);
    }
    const text = await response.text();
    if (response.ok) return JSON.parse(text) as T;
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error?: string; message?: string };
      message = parsed.error ?? parsed.message ?? text;
    } catch {
      // Not JSON: the body as it came is the best explanation there is.
    }
    if (response.status === 404) throw new AlertActionError(message, 'not-found');
    if (response.status === 409) throw new AlertActionError(message, 'conflict');
    if (response.status === 400) throw new AlertActionError(message, 'invalid');
    throw new Error(`${method} ${path}: HTTP ${response.status}: ${message}`);
  }
}

function query(parameters: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
