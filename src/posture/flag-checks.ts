import { dirname } from 'node:path';
import { lineOfFlag, mountFor, type ApiserverConfig } from './apiserver-config.js';
import { CIS, type Finding, type FindingLocation } from './findings.js';

/**
 * Checks of kube-apiserver's audit flags (kubernetes/apiserver pkg/server/options/audit.go) and the
 * CIS 1.2.x logging checks. `eventsSource` says whether Kubernetes Events are kept elsewhere
 * (true/false from a data dir; undefined when unknown).
 */
export function checkApiserverFlags(config: ApiserverConfig, context: { eventsSource?: boolean } = {}): Finding[] {
  const flag = (name: string): string | undefined => config.flags.get(name);
  const at = (name: string): FindingLocation => ({ file: config.file, line: lineOfFlag(config, name) });
  const whole: FindingLocation = { file: config.file };
  const findings: Finding[] = [];
  const policyFile = flag('audit-policy-file');
  const logPath = flag('audit-log-path');
  const webhookConfig = flag('audit-webhook-config-file');

  if (policyFile === undefined) {
    findings.push({
      id: 'audit-policy-unset',
      severity: 'critical',
      title: 'Audit logging is off: no --audit-policy-file',
      evidence: [`${config.file}: kube-apiserver runs without --audit-policy-file, so it writes no audit events at all`],
      fix: 'Write an audit policy (`vigil policy generate --profile recommended > /etc/kubernetes/audit/audit-policy.yaml`) and add --audit-policy-file=/etc/kubernetes/audit/audit-policy.yaml, mounting /etc/kubernetes/audit into the static pod.',
      cis: CIS.minimalPolicy,
      location: whole,
    });
  }
  if (logPath === undefined && webhookConfig === undefined) {
    findings.push({
      id: 'audit-backend-unset',
      severity: policyFile === undefined ? 'high' : 'critical',
      title: 'No audit backend: neither --audit-log-path nor --audit-webhook-config-file',
      evidence: ['without a log or webhook backend the events the policy selects go nowhere'],
      fix: 'Add --audit-log-path=/var/log/kubernetes/audit/audit.log (a hostPath-mounted directory) and --audit-webhook-config-file pointing at a kubeconfig for Vigil\'s receiver.',
      cis: CIS.auditLogPath,
      location: whole,
    });
  } else if (logPath === undefined) {
    findings.push({
      id: 'audit-log-path-unset',
      severity: 'medium',
      title: 'Audit events only go to the webhook: no local --audit-log-path',
      evidence: [`--audit-webhook-config-file=${webhookConfig} is set but --audit-log-path is not; while the receiver is down, batches that exhaust their retries are lost`],
      fix: 'Also set --audit-log-path=/var/log/kubernetes/audit/audit.log with rotation flags, as a local copy.',
      cis: CIS.auditLogPath,
      location: whole,
    });
  }
  if (logPath === '-') {
    findings.push({
      id: 'audit-log-to-stdout',
      severity: 'medium',
      title: 'Audit log written to stdout (--audit-log-path=-)',
      evidence: ['the audit log ends up in the container log, where the kubelet rotates it after a few MB and no maxage/maxbackup applies'],
      fix: 'Write to a file on a hostPath volume (--audit-log-path=/var/log/kubernetes/audit/audit.log) with --audit-log-maxage/--audit-log-maxbackup/--audit-log-maxsize.',
      cis: CIS.auditLogPath,
      location: at('audit-log-path'),
    });
  } else if (logPath !== undefined) {
    findings.push(...rotationFindings(flag, at));
    if (flag('audit-log-format') === 'legacy') {
      findings.push({
        id: 'audit-log-format-legacy',
        severity: 'low',
        title: 'Audit log in the legacy one-line text format',
        evidence: ['--audit-log-format=legacy: Vigil and most tools read the JSON lines format'],
        fix: 'Remove --audit-log-format (json is the default).',
        location: at('audit-log-format'),
      });
    }
  }
  if (webhookConfig !== undefined) findings.push(...webhookModeFindings(flag, at));
  if (config.source === 'manifest') findings.push(...mountFindings(config, { policyFile, logPath, webhookConfig }, at));
  findings.push(...eventTtlFindings(flag('event-ttl'), context.eventsSource, at));
  if (flag('profiling') !== 'false') {
    findings.push({
      id: 'profiling-enabled',
      severity: 'low',
      title: 'kube-apiserver profiling endpoints enabled',
      evidence: [`--profiling is ${flag('profiling') ?? 'unset (default true)'}: /debug/pprof exposes internals to anyone allowed to read it`],
      fix: 'Set --profiling=false.',
      cis: CIS.profiling,
      location: flag('profiling') === undefined ? whole : at('profiling'),
    });
  }
  return findings;
}

type FlagReader = (name: string) => string | undefined;
type Locator = (name: string) => FindingLocation;

function rotationFindings(flag: FlagReader, at: Locator): Finding[] {
  const findings: Finding[] = [];
  const check = (
    name: string,
    minimum: number,
    id: string,
    cis: Finding['cis'],
    meaning: string,
    zero: { severity: Finding['severity']; text: string },
  ): void => {
    const raw = flag(name);
    const value = raw === undefined ? undefined : Number(raw);
    if (value !== undefined && !Number.isNaN(value) && value >= minimum) return;
    const evidence =
      raw === undefined
        ? `--${name} is not set: the default depends on the Kubernetes version (0 before the 2026 defaults), so ${meaning} is not under your control`
        : value === 0
          ? `--${name}=0: ${zero.text}`
          : `--${name}=${raw} is below the CIS minimum of ${minimum}`;
    findings.push({
      id,
      severity: value === 0 ? zero.severity : 'medium',
      title: `Audit log ${meaning} not set as CIS recommends (--${name} ≥ ${minimum})`,
      evidence: [evidence],
      fix: `Set --${name}=${minimum} or higher (size your disk: maxsize × (maxbackup + 1) MB).`,
      cis,
      location: raw === undefined ? { file: at(name).file } : at(name),
    });
  };
  check('audit-log-maxage', 30, 'audit-log-maxage', CIS.auditLogMaxAge, 'retention (days)', {
    severity: 'low',
    text: 'rotated files are never removed by age; keep them at least 30 days on purpose',
  });
  check('audit-log-maxbackup', 10, 'audit-log-maxbackup', CIS.auditLogMaxBackup, 'number of rotated files', {
    severity: 'low',
    text: 'unlimited rotated files can fill the disk',
  });
  check('audit-log-maxsize', 100, 'audit-log-maxsize', CIS.auditLogMaxSize, 'rotation size (MB)', {
    severity: 'medium',
    text: 'rotation is disabled: one file grows until the disk is full',
  });
  return findings;
}

function webhookModeFindings(flag: FlagReader, at: Locator): Finding[] {
  const mode = flag('audit-webhook-mode') ?? 'batch';
  const findings: Finding[] = [];
  if (mode === 'blocking' || mode === 'blocking-strict') {
    findings.push({
      id: 'audit-webhook-blocking',
      severity: mode === 'blocking-strict' ? 'high' : 'medium',
      title: `Audit webhook in ${mode} mode`,
      evidence: [
        mode === 'blocking-strict'
          ? '--audit-webhook-mode=blocking-strict: every API request waits for the webhook, and a failure at RequestReceived fails the request: the cluster API stops when the receiver is down'
          : '--audit-webhook-mode=blocking: every API request waits for the webhook round trip, without the buffering, batching and throttling that batch mode uses to protect the apiserver',
      ],
      fix: 'Use --audit-webhook-mode=batch (the default) with --audit-webhook-batch-buffer-size and --audit-webhook-batch-max-wait sized for your request rate, and keep --audit-log-path as a local copy.',
      location: at('audit-webhook-mode'),
    });
    return findings;
  }
  const buffer = Number(flag('audit-webhook-batch-buffer-size') ?? 10000);
  const maxSize = Number(flag('audit-webhook-batch-max-size') ?? 400);
  if (buffer < maxSize) {
    findings.push({
      id: 'audit-webhook-batch-unsafe',
      severity: 'medium',
      title: 'Audit webhook buffer smaller than one batch',
      evidence: [`--audit-webhook-batch-buffer-size=${buffer} < --audit-webhook-batch-max-size=${maxSize}: events are dropped whenever the buffer fills before a batch is sent`],
      fix: 'Keep the buffer (default 10000) many times larger than the batch size (default 400).',
      location: at('audit-webhook-batch-buffer-size'),
    });
  }
  if (flag('audit-webhook-batch-throttle-enable') === 'false') {
    findings.push({
      id: 'audit-webhook-batch-unsafe',
      severity: 'low',
      title: 'Audit webhook batch throttling disabled',
      evidence: ['--audit-webhook-batch-throttle-enable=false: a burst (a controller restart listing everything) is sent at full speed to the receiver'],
      fix: 'Remove the flag (throttling is on by default: 10 batches/s, burst 15).',
      location: at('audit-webhook-batch-throttle-enable'),
    });
  }
  return findings;
}

/** A static pod sees only what it mounts: the policy and webhook config must be mounted, the log dir must be a hostPath. */
function mountFindings(config: ApiserverConfig, paths: { policyFile?: string; logPath?: string; webhookConfig?: string }, at: Locator): Finding[] {
  const findings: Finding[] = [];
  const files: Array<[string, string | undefined, string]> = [
    ['audit-policy-file', paths.policyFile, 'kube-apiserver cannot read the policy and fails to start'],
    ['audit-webhook-config-file', paths.webhookConfig, 'kube-apiserver cannot read the webhook kubeconfig and fails to start'],
  ];
  for (const [name, path, consequence] of files) {
    if (path === undefined || mountFor(config, path) !== undefined) continue;
    findings.push({
      id: 'audit-file-not-mounted',
      severity: 'high',
      title: `--${name} is not inside any volume mounted into the static pod`,
      evidence: [`${path} is outside every volumeMount of the kube-apiserver container: ${consequence}`],
      fix: `Add a hostPath volume for ${dirname(path)} and a volumeMount (readOnly: true) at the same path.`,
      location: at(name),
      subject: name,
    });
  }
  if (paths.logPath !== undefined && paths.logPath !== '-') {
    const mount = mountFor(config, paths.logPath);
    if (mount?.hostPath === undefined) {
      findings.push({
        id: 'audit-file-not-mounted',
        severity: 'high',
        title: 'The audit log directory is not a hostPath volume',
        evidence: [
          mount === undefined
            ? `${paths.logPath} is outside every volumeMount: the log is written inside the container, lost on restart and invisible to node log shippers`
            : `${paths.logPath} is on volume "${mount.volume}", which is not a hostPath: the log does not survive the pod`,
        ],
        fix: `Mount a hostPath directory (e.g. /var/log/kubernetes/audit, type DirectoryOrCreate) at ${dirname(paths.logPath)}.`,
        location: at('audit-log-path'),
        subject: 'audit-log-path',
      });
    }
  }
  return findings;
}

const ONE_HOUR_MS = 3_600_000;

function eventTtlFindings(raw: string | undefined, eventsSource: boolean | undefined, at: Locator): Finding[] {
  const ttl = raw === undefined ? ONE_HOUR_MS : parseGoDuration(raw);
  if (ttl === undefined || ttl > ONE_HOUR_MS || eventsSource === true) return [];
  const shown = raw === undefined ? 'unset (default 1h)' : raw;
  return [
    {
      id: 'event-ttl-short',
      severity: eventsSource === false ? 'medium' : 'low',
      title: 'Kubernetes Events expire within an hour and nothing keeps them',
      evidence: [
        `--event-ttl is ${shown}: Events (scheduling, image pulls, OOM kills, probe failures) vanish from the API after that`,
        eventsSource === false ? 'the data dir holds no k8s.event source' : 'no data dir given to confirm an events source (pass --data-dir)',
      ],
      fix: 'Run Vigil\'s Kubernetes Event watcher (vigil serve with the k8s.event source) so Events are kept; raising --event-ttl only moves the load to etcd.',
      location: raw === undefined ? { file: at('event-ttl').file } : at('event-ttl'),
    },
  ];
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** Go's time.ParseDuration for the units kube-apiserver flags use: `1h0m0s`, `30m`, `90s`. */
export function parseGoDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return text === '0' ? 0 : undefined;
  let total = 0;
  for (const [, amount, , unit] of text.matchAll(/(\d+(\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(amount) * UNIT_MS[unit];
  return total;
}
