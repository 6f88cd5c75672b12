import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Finding } from './findings.js';

/**
 * The audit webhook kubeconfig (--audit-webhook-config-file): where kube-apiserver sends its
 * audit EventLists and how it authenticates to the receiver.
 */
export interface WebhookConfig {
  file: string;
  server?: string;
  insecureSkipTlsVerify: boolean;
  /** How the apiserver proves itself to the receiver: `token`, `client-certificate`, …; empty if none. */
  credentials: string[];
  token?: string;
  problems: string[];
}

const CREDENTIAL_KEYS = ['token', 'tokenFile', 'client-certificate', 'client-certificate-data', 'username', 'exec', 'auth-provider'];

export function loadWebhookConfig(path: string): WebhookConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { file: path, insecureSkipTlsVerify: false, credentials: [], problems: [`cannot read the file: ${(error as Error).message}`] };
  }
  return parseWebhookConfig(text, path);
}

export function parseWebhookConfig(text: string, file = 'webhook kubeconfig'): WebhookConfig {
  const config: WebhookConfig = { file, insecureSkipTlsVerify: false, credentials: [], problems: [] };
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    config.problems.push(`not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return config;
  }
  const root = record(document);
  const contexts = namedEntries(root?.contexts, 'context');
  const current = typeof root?.['current-context'] === 'string' ? root['current-context'] : undefined;
  const context = (current === undefined ? undefined : contexts.get(current)) ?? contexts.values().next().value;
  const clusters = namedEntries(root?.clusters, 'cluster');
  const users = namedEntries(root?.users, 'user');
  const cluster = (typeof context?.cluster === 'string' ? clusters.get(context.cluster) : undefined) ?? clusters.values().next().value;
  const user = (typeof context?.user === 'string' ? users.get(context.user) : undefined) ?? users.values().next().value;
  if (cluster === undefined) {
    config.problems.push('no clusters[].cluster entry: kube-apiserver has no server to send audit events to');
    return config;
  }
  if (typeof cluster.server !== 'string' || cluster.server === '') config.problems.push('clusters[].cluster.server is missing');
  else if (safeUrl(cluster.server) === undefined) config.problems.push(`clusters[].cluster.server "${cluster.server}" is not a URL`);
  else config.server = cluster.server;
  config.insecureSkipTlsVerify = cluster['insecure-skip-tls-verify'] === true;
  config.credentials = CREDENTIAL_KEYS.filter((key) => user?.[key] !== undefined);
  if (typeof user?.token === 'string') config.token = user.token;
  return config;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function namedEntries(list: unknown, key: string): Map<string, Record<string, unknown>> {
  const entries = new Map<string, Record<string, unknown>>();
  if (!Array.isArray(list)) return entries;
  for (const item of list) {
    const body = record(record(item)?.[key]);
    if (body !== undefined) entries.set(String(record(item)?.name ?? ''), body);
  }
  return entries;
}

const PLACEHOLDER = /replace|change[-_]?me|^<.*>$|todo|xxx|placeholder/i;
const EXAMPLE_HOST = /(^|\.)example(\.(com|org|net|internal))?$/i;

export function checkWebhookConfig(config: WebhookConfig): Finding[] {
  const location = { file: config.file };
  if (config.problems.length > 0) {
    return [
      {
        id: 'webhook-config-invalid',
        severity: 'high',
        title: 'Audit webhook kubeconfig unusable',
        evidence: config.problems,
        fix: 'Write a kubeconfig with clusters[].cluster.server (the receiver URL, https), users[].user (token or client certificate) and a current-context (see deploy/audit/webhook-kubeconfig.yaml).',
        location,
      },
    ];
  }
  const findings: Finding[] = [];
  const url = safeUrl(config.server);
  if (url?.protocol === 'http:') {
    findings.push({
      id: 'webhook-plaintext',
      severity: 'high',
      title: 'Audit events sent over plain HTTP',
      evidence: [`server: ${config.server}: every request's user, source IP and (at Request level) body crosses the network unencrypted, and the receiver cannot be authenticated`],
      fix: 'Serve the receiver over HTTPS and set certificate-authority(-data) in the kubeconfig.',
      location,
    });
  }
  if (config.insecureSkipTlsVerify) {
    findings.push({
      id: 'webhook-tls-unverified',
      severity: 'medium',
      title: "Receiver's TLS certificate not verified",
      evidence: ['insecure-skip-tls-verify: true: anyone on the path can pose as the receiver and take the audit stream'],
      fix: 'Remove insecure-skip-tls-verify and set certificate-authority to the CA of the receiver certificate.',
      location,
    });
  }
  if (config.credentials.length === 0) {
    findings.push({
      id: 'webhook-no-client-auth',
      severity: 'medium',
      title: 'kube-apiserver does not authenticate to the audit receiver',
      evidence: ['the kubeconfig user has no token or client certificate: a receiver that accepts this accepts forged audit events from anyone'],
      fix: 'Create an ingest token (`vigil tokens create --role ingest --cluster NAME`) and set users[].user.token, or use a client certificate.',
      location,
    });
  }
  if (config.token !== undefined && PLACEHOLDER.test(config.token)) {
    findings.push({
      id: 'webhook-placeholder',
      severity: 'high',
      title: 'Audit webhook token is a placeholder',
      evidence: [`users[].user.token is "${config.token}": the receiver will refuse every batch`],
      fix: 'Replace it with a real ingest token (`vigil tokens create --role ingest --cluster NAME`).',
      location,
      subject: 'token',
    });
  }
  if (url !== undefined && EXAMPLE_HOST.test(url.hostname)) {
    findings.push({
      id: 'webhook-placeholder',
      severity: 'high',
      title: 'Audit webhook server is an example address',
      evidence: [`server: ${config.server}`],
      fix: "Set clusters[].cluster.server to your receiver's URL.",
      location,
      subject: 'server',
    });
  }
  return findings;
}

function safeUrl(text: string | undefined): URL | undefined {
  if (text === undefined) return undefined;
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
