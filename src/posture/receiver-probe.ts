import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Finding } from './findings.js';

export interface ProbeResult {
  url: string;
  reachable: boolean;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  detail: string;
}

/** TLS failures mean the receiver answered; this machine merely lacks its CA. */
const TLS_ERRORS = /^(ERR_TLS|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)_)/;

/**
 * Whether the audit receiver answers at all: one GET of `/healthz` at the webhook server's
 * origin (nothing is posted). Any HTTP answer counts as reachable.
 */
export function probeReceiver(server: string, timeoutMs = 3000): Promise<ProbeResult> {
  const url = new URL('/healthz', server).toString();
  return new Promise((resolve) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = send(url, { method: 'GET', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve({ url, reachable: true, status: response.statusCode, detail: `answered HTTP ${response.statusCode}` });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      if (TLS_ERRORS.test(code)) resolve({ url, reachable: true, detail: `answered, but its certificate is not trusted here (${code})` });
      else resolve({ url, reachable: false, detail: code === '' ? error.message : `${code}: ${error.message}` });
    });
    request.end();
  });
}

export function receiverFindings(probe: ProbeResult, webhookFile: string): Finding[] {
  if (probe.reachable) return [];
  return [
    {
      id: 'receiver-unreachable',
      severity: 'high',
      title: 'The audit receiver does not answer',
      evidence: [`GET ${probe.url}: ${probe.detail}`, 'checked from this machine; kube-apiserver may see a different network, check from a control-plane node too'],
      fix: 'Check that the receiver (vigil serve) runs and listens on the webhook server address, and that DNS and firewalls let the control plane reach it.',
      location: { file: webhookFile },
    },
  ];
}
