import { describe, expect, it } from 'vitest';
import { ApiserverConfigError, lineOfFlag, mountFor, parseApiserverConfig } from './apiserver-config.js';
import { parseGoDuration } from './flag-checks.js';

const manifest = `apiVersion: v1
kind: Pod
metadata: {name: kube-apiserver, namespace: kube-system}
spec:
  containers:
  - name: sidecar
    image: busybox
  - name: kube-apiserver
    command:
    - kube-apiserver
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    - --audit-log-maxage=7
    args: ["--profiling=false", "--audit-log-maxage=30"]
    volumeMounts:
    - {mountPath: /var/log/kubernetes/audit/, name: audit-log}
    - {mountPath: /etc/kubernetes/pki, name: certs}
    - {mountPath: /etc/kubernetes/pki/etcd, name: etcd-certs}
  volumes:
  - {name: audit-log, hostPath: {path: /var/log/kubernetes/audit/}}
  - {name: certs, hostPath: {path: /etc/kubernetes/pki}}
  - {name: etcd-certs, emptyDir: {}}
`;

describe('parseApiserverConfig', () => {
  it('reads the kube-apiserver container of a static pod: command then args, the last flag wins', () => {
    const config = parseApiserverConfig(manifest, 'kube-apiserver.yaml');
    expect(config.source).toBe('manifest');
    expect(Object.fromEntries(config.flags)).toEqual({
      'audit-log-path': '/var/log/kubernetes/audit/audit.log',
      'audit-log-maxage': '30',
      profiling: 'false',
    });
    expect(lineOfFlag(config, 'audit-log-path')).toBe(11);
  });

  it('knows which mount (and host path) a container path is under, longest mount first', () => {
    const config = parseApiserverConfig(manifest);
    expect(mountFor(config, '/var/log/kubernetes/audit/audit.log')).toMatchObject({ volume: 'audit-log', hostPath: '/var/log/kubernetes/audit/' });
    expect(mountFor(config, '/etc/kubernetes/pki/etcd/ca.crt')).toMatchObject({ volume: 'etcd-certs', hostPath: undefined });
    expect(mountFor(config, '/etc/kubernetes/audit-policy.yaml')).toBeUndefined();
    expect(mountFor(config, '/etc/kubernetes/pkix')).toBeUndefined();
  });

  it('reads flags one a line, as a ps line, or as a YAML list', () => {
    const lines = parseApiserverConfig('--audit-policy-file=/etc/p.yaml\n--profiling\n--audit-log-path -\n');
    expect(Object.fromEntries(lines.flags)).toEqual({ 'audit-policy-file': '/etc/p.yaml', profiling: 'true', 'audit-log-path': '-' });
    const ps = parseApiserverConfig('root 1234 1 5 10:00 ? 00:10:00 kube-apiserver --event-ttl=2h --audit-webhook-mode batch');
    expect(Object.fromEntries(ps.flags)).toEqual({ 'event-ttl': '2h', 'audit-webhook-mode': 'batch' });
    const list = parseApiserverConfig('- --audit-log-maxsize=100\n- --audit-log-maxbackup=10\n');
    expect(list.flags.get('audit-log-maxsize')).toBe('100');
    expect(list.source).toBe('flags');
  });

  it('refuses input without flags and pods without kube-apiserver, saying what it expected', () => {
    expect(() => parseApiserverConfig('hello world', 'x.txt')).toThrow(ApiserverConfigError);
    expect(() => parseApiserverConfig('hello world', 'x.txt')).toThrow(/x.txt: found no kube-apiserver flags/);
    expect(() => parseApiserverConfig('kind: Pod\nspec: {containers: [{name: etcd, command: [etcd]}]}\n', 'etcd.yaml')).toThrow(/no kube-apiserver container/);
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['1h0m0s', 3_600_000],
    ['30m', 1_800_000],
    ['2h30m', 9_000_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['0', 0],
  ])('%s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it('rejects what Go would reject', () => {
    expect(parseGoDuration('1 hour')).toBeUndefined();
    expect(parseGoDuration('60')).toBeUndefined();
  });
});
