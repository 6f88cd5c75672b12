import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** How to reach the API server: a kubeconfig file and context, or the pod's service account. */
export interface KubeAccess {
  kubeconfig?: string;
  context?: string;
}

/**
 * Loads credentials as kubectl would: the named file, else in-cluster when run in a pod, else
 * $KUBECONFIG or ~/.kube/config. The client library takes a second to load, so it is loaded
 * only when a cluster is actually watched, not on every `vigil` start.
 */
export async function loadKubeConfig(access: KubeAccess): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  if (access.kubeconfig) config.loadFromFile(access.kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
  else config.loadFromDefault();
  if (access.context) config.setCurrentContext(access.context);
  if (!config.getCurrentCluster()) throw new Error(`no current cluster in the kubeconfig${access.kubeconfig ? ` ${access.kubeconfig}` : ''}; set "context"`);
  return config;
}

/** An API answer other than 2xx, with the Status message the server sent. */
export class ApiStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * GETs an API path and hands back the streaming response. @kubernetes/client-node supplies the
 * server, TLS agent and credentials (tokens refresh per request); the request itself is plain
 * node:http so that list bodies stay verbatim JSON and watch streams can be read frame by frame
 * with every malformed or dropped frame counted.
 */
export async function kubeGet(config: KubeConfig, path: string, query: Record<string, string>, signal: AbortSignal, idleTimeoutMs: number): Promise<IncomingMessage> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the kubeconfig');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const options: https.RequestOptions = {};
  await config.applyToHTTPSOptions(options);
  const headers = { ...(options.headers as Record<string, string> | undefined), Accept: 'application/json' };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, { ...options, method: 'GET', headers, signal }, resolve);
    // A connection that goes quiet (no bytes, not even a bookmark) is treated as dropped.
    request.setTimeout(idleTimeoutMs, () => request.destroy(new Error(`no data from ${url.host} for ${idleTimeoutMs} ms`)));
    request.on('error', reject);
    request.end();
  });
}

/** Reads a whole (list) response as JSON, raising the server's Status message on failure. */
export async function readJson(response: IncomingMessage, what: string): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (response.statusCode !== 200) throw statusError(response.statusCode ?? 0, text, what);
  return JSON.parse(text) as Record<string, unknown>;
}

export function statusError(status: number, body: string, what: string): ApiStatusError {
  let message = body.slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed.message) message = parsed.message;
  } catch {
    // Not a Status object; the start of the body says enough.
  }
  const hint = status === 401 || status === 403 ? ' (check the credentials and RBAC: list and watch on events)' : '';
  return new ApiStatusError(status, `${what}: HTTP ${status} ${message}${hint}`);
}

/** Drains and discards a response body that is not going to be read. */
export async function discard(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
