import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * kube-apiserver's flags, read from a static pod manifest (kubeadm's
 * /etc/kubernetes/manifests/kube-apiserver.yaml) or from a list of flags (one a line, or a
 * `ps -ef` line, or a YAML/JSON list).
 */

export interface VolumeMount {
  mountPath: string;
  volume: string;
  /** The node path behind the volume when it is a hostPath volume. */
  hostPath?: string;
}

export interface ApiserverConfig {
  file: string;
  source: 'manifest' | 'flags';
  /** Flag name without the leading dashes → value ("true" for a bare flag); the last one wins. */
  flags: Map<string, string>;
  /** Only for manifests: what the container can see of the node's files. */
  mounts?: VolumeMount[];
  /** The file's text, to point findings at the line of a flag. */
  text: string;
}

export class ApiserverConfigError extends Error {}

export function loadApiserverConfig(path: string): ApiserverConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ApiserverConfigError(`${path}: cannot read the kube-apiserver manifest or flags file: ${(error as Error).message}`);
  }
  return parseApiserverConfig(text, path);
}

export function parseApiserverConfig(text: string, file = 'kube-apiserver flags'): ApiserverConfig {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    document = undefined;
  }
  if (isObject(document) && document.kind === 'Pod') return fromManifest(document, text, file);
  const tokens = Array.isArray(document) ? document.map(String) : text.split(/\s+/);
  const flags = flagsOf(tokens);
  if (flags.size === 0) {
    throw new ApiserverConfigError(
      `${file}: found no kube-apiserver flags; give the static pod manifest (kind: Pod) or the flags, e.g. "--audit-log-path=/var/log/audit.log" one a line`,
    );
  }
  return { file, source: 'flags', flags, text };
}

function fromManifest(pod: Record<string, unknown>, text: string, file: string): ApiserverConfig {
  const spec = isObject(pod.spec) ? pod.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers.filter(isObject) : [];
  const container = containers.find((candidate) => {
    const command = Array.isArray(candidate.command) ? candidate.command : [];
    return candidate.name === 'kube-apiserver' || String(command[0] ?? '').endsWith('kube-apiserver');
  });
  if (container === undefined) {
    throw new ApiserverConfigError(`${file}: this Pod has no kube-apiserver container (named kube-apiserver or running the kube-apiserver command)`);
  }
  const words = [...(Array.isArray(container.command) ? container.command : []), ...(Array.isArray(container.args) ? container.args : [])].map(String);
  const volumes = new Map<string, string | undefined>();
  for (const volume of Array.isArray(spec.volumes) ? spec.volumes.filter(isObject) : []) {
    const hostPath = isObject(volume.hostPath) && typeof volume.hostPath.path === 'string' ? volume.hostPath.path : undefined;
    volumes.set(String(volume.name), hostPath);
  }
  const mounts = (Array.isArray(container.volumeMounts) ? container.volumeMounts.filter(isObject) : []).map((mount) => ({
    mountPath: String(mount.mountPath),
    volume: String(mount.name),
    hostPath: volumes.get(String(mount.name)),
  }));
  return { file, source: 'manifest', flags: flagsOf(words), mounts, text };
}

/** `--name=value`, `--name value` and bare `--name` (true), as pflag reads them. */
function flagsOf(tokens: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i].trim();
    if (!token.startsWith('--') || token.length < 3) continue;
    const equals = token.indexOf('=');
    if (equals > 0) {
      flags.set(token.slice(2, equals), token.slice(equals + 1));
      continue;
    }
    const next = tokens[i + 1]?.trim();
    if (next !== undefined && next !== '' && (!next.startsWith('-') || next === '-')) {
      flags.set(token.slice(2), next);
      i++;
    } else flags.set(token.slice(2), 'true');
  }
  return flags;
}

/** 1-based line of the first mention of `--name` in the file, for pointing findings at it. */
export function lineOfFlag(config: ApiserverConfig, name: string): number | undefined {
  const index = config.text.split('\n').findIndex((line) => line.includes(`--${name}`));
  return index < 0 ? undefined : index + 1;
}

/** The mount a container path is visible through, if any (longest matching mount path wins). */
export function mountFor(config: ApiserverConfig, path: string): VolumeMount | undefined {
  const candidates = (config.mounts ?? []).filter((mount) => {
    const base = mount.mountPath.replace(/\/+$/, '');
    return path === base || path.startsWith(`${base}/`);
  });
  return candidates.sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
