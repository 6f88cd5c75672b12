import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

/** A configuration file that cannot be used; the message names the file and every bad key. */
export class ConfigError extends Error {}

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only (it names the checkpoint file)');
const cluster = z.string().min(1);
const positive = z.number().int().positive();

/** Fields every live source has: the cluster its records belong to, and an optional unique name. */
const common = { name: name.optional(), cluster };

const k8sEvents = z.strictObject({
  ...common,
  kind: z.literal('k8s-events'),
  /** A kubeconfig file; in a pod the service account is used, elsewhere $KUBECONFIG or ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  namespace: z.string().min(1).optional(),
  api: z.enum(['auto', 'events.k8s.io/v1', 'v1']).default('auto'),
  pageSize: positive.default(500),
  watchTimeoutSeconds: positive.default(300),
});

const containerLogs = z.strictObject({
  ...common,
  kind: z.literal('container-logs'),
  path: z.string().min(1).default('/var/log/containers'),
  /** Written as host.name; the machine's host name when absent. */
  node: z.string().min(1).optional(),
  maxLineBytes: positive.default(1 << 20),
  pollIntervalMs: positive.default(1000),
});

const journald = z.strictObject({
  ...common,
  kind: z.literal('journald'),
  command: z.array(z.string().min(1)).min(1).default(['journalctl']),
  units: z.array(z.string().min(1)).default([]),
  directory: z.string().min(1).optional(),
  since: z.string().min(1).optional(),
});

const syslog = z.strictObject({
  ...common,
  kind: z.literal('syslog'),
  path: z.string().min(1).default('/var/log/auth.log'),
  node: z.string().min(1).optional(),
  pollIntervalMs: positive.default(1000),
});

const liveSource = z.discriminatedUnion('kind', [k8sEvents, containerLogs, journald, syslog]);

/**
 * `retention:` the life of a record, in whole UTC days: `hotDays` in the hot store; then, with
 * `archiveTo` (a directory or s3://bucket/prefix), `archiveDays` more in the archive (omitted:
 * kept there for good); then gone. Without `archiveTo` records are removed when they leave the
 * hot store. Applied every `intervalMinutes` by `vigil serve` and once by `vigil retention apply --config`.
 */
const retentionPolicy = z
  .strictObject({
    hotDays: positive,
    archiveTo: z.string().min(1).optional(),
    archiveDays: positive.optional(),
    s3Endpoint: z.string().url().optional(),
    intervalMinutes: positive.default(60),
  })
  .refine((policy) => policy.archiveDays === undefined || policy.archiveTo !== undefined, {
    path: ['archiveDays'],
    message: 'needs archiveTo: without an archive, records are removed when they leave the hot store (after hotDays)',
  });

export type RetentionPolicy = z.infer<typeof retentionPolicy>;

const serveConfig = z
  .strictObject({ sources: z.array(liveSource).default([]), retention: retentionPolicy.optional() })
  .superRefine((config, context) => {
    const seen = new Set<string>();
    config.sources.forEach((source, index) => {
      const named = liveSourceName(source);
      if (seen.has(named)) context.addIssue({ code: 'custom', path: ['sources', index, 'name'], message: `"${named}" is already used by another source; give this one its own name` });
      seen.add(named);
    });
  });

export type ServeConfig = z.infer<typeof serveConfig>;
export type LiveSourceConfig = ServeConfig['sources'][number];

/** The name a live source is known by (health, checkpoint): its own, or kind and cluster. */
export function liveSourceName(source: { name?: string; kind: string; cluster: string }): string {
  return source.name ?? `${source.kind}-${source.cluster.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/** Reads and checks a `vigil serve --config` file. */
export function loadServeConfig(path: string): ServeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseServeConfig(text, path);
}

export function parseServeConfig(text: string, origin: string): ServeConfig {
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${origin} is not valid YAML: ${(error as Error).message}`);
  }
  const result = serveConfig.safeParse(document);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${describeIssue(issue)}`);
  throw new ConfigError(`${origin} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.join('\n')}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${keyPath([...issue.path, key])}: unknown key (misspelt, or not valid for this kind)`).join('\n  ');
  }
  return `${keyPath(issue.path)}: ${issue.message}`;
}

/** `sources[1].path`, as the user would point at it in the file. */
function keyPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}
