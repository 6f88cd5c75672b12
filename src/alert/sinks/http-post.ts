import { DeliveryError } from './sink.js';

export interface PostOptions {
  /** Receiver name, for messages. Never the URL: URLs often carry the secret (Slack). */
  receiver: string;
  headers?: Record<string, string>;
  timeoutMs: number;
}

export interface PostResult {
  status: number;
  body: string;
}

/**
 * POSTs a body and classifies the answer: 2xx delivered; 408, 429 and 5xx (and network
 * errors) worth retrying; other 4xx permanent. Messages name the receiver and status only.
 */
export async function postBody(url: string, body: string, options: PostOptions): Promise<PostResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'vigil', ...options.headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new DeliveryError(`receiver "${options.receiver}": ${networkReason(error, url)}`);
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { status: response.status, body: text };
  const detail = `receiver "${options.receiver}": HTTP ${response.status}${text ? ` ${oneLine(text)}` : ''}`;
  const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
  throw new DeliveryError(detail, !retryable, retryAfterMs(response.headers.get('retry-after')));
}

function networkReason(error: unknown, url: string): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer before the timeout';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: string }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  // The URL may carry a token (Slack, some webhooks): never let it into a message.
  return code ? `cannot connect (${code})` : `request failed (${message.replaceAll(url, '<url>')})`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** `Retry-After` as seconds or an HTTP date. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
