import { aksSource } from './aks.js';
import { containerLogSource } from './container-log.js';
import { eksSource } from './eks.js';
import { gkeSource } from './gke.js';
import { hubbleSource } from './hubble.js';
import { ingressNginxSource } from './ingress-nginx.js';
import { journaldSource } from './journald.js';
import { k8sAuditSource } from './k8s-audit.js';
import { k8sEventSource } from './k8s-event.js';
import { syslogSource } from './syslog.js';
import { tetragonSource } from './tetragon.js';
import type { Source } from './source.js';

/** Every source Vigil can read; `--source auto` tries them in this order. */
export const SOURCES: readonly Source[] = [
  k8sAuditSource,
  k8sEventSource,
  containerLogSource,
  journaldSource,
  syslogSource,
  eksSource,
  gkeSource,
  aksSource,
  ingressNginxSource,
  hubbleSource,
  tetragonSource,
];

export function findSource(name: string): Source | undefined {
  return SOURCES.find((candidate) => candidate.name === name || candidate.kind === name);
}

/** The source whose records this value looks like, for `--source auto`. */
export function recogniseSource(value: unknown): Source | undefined {
  return SOURCES.find((source) => source.recognises(value));
}
