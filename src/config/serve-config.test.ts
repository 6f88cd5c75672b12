import { describe, expect, it } from 'vitest';
import { ConfigError, liveSourceName, parseServeConfig } from './serve-config.js';

const EXAMPLE = `
sources:
  - kind: k8s-events
    cluster: prod
    kubeconfig: /etc/vigil/kubeconfig
  - kind: container-logs
    cluster: prod
    path: /var/log/containers
  - kind: journald
    cluster: prod
    units: [kubelet.service, ssh.service]
  - kind: syslog
    name: prod-auth
    cluster: prod
`;

const problemsOf = (text: string): string => {
  try {
    parseServeConfig(text, 'vigil.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('serve config', () => {
  it('reads the live sources with their defaults', () => {
    const config = parseServeConfig(EXAMPLE, 'vigil.yaml');
    expect(config.sources).toEqual([
      { kind: 'k8s-events', cluster: 'prod', kubeconfig: '/etc/vigil/kubeconfig', api: 'auto', pageSize: 500, watchTimeoutSeconds: 300 },
      { kind: 'container-logs', cluster: 'prod', path: '/var/log/containers', maxLineBytes: 1048576, pollIntervalMs: 1000 },
      { kind: 'journald', cluster: 'prod', units: ['kubelet.service', 'ssh.service'], command: ['journalctl'] },
      { kind: 'syslog', name: 'prod-auth', cluster: 'prod', path: '/var/log/auth.log', pollIntervalMs: 1000 },
    ]);
    expect(config.sources.map(liveSourceName)).toEqual(['k8s-events-prod', 'container-logs-prod', 'journald-prod', 'prod-auth']);
    expect(parseServeConfig('', 'empty.yaml')).toEqual({ sources: [] });
  });

  it('names every bad key with its place in the file', () => {
    const message = problemsOf(`
sources:
  - kind: container-logs
    cluster: prod
    pth: /var/log/containers
  - kind: journald
    units: kubelet.service
  - kind: kafka
    cluster: prod
extra: 1
`);
    expect(message).toMatch(/^vigil.yaml has 5 problems:/);
    expect(message).toContain('sources[0].pth: unknown key');
    expect(message).toMatch(/sources\[1\]\.cluster: .*expected string/);
    expect(message).toMatch(/sources\[1\]\.units: .*expected array/);
    expect(message).toMatch(/sources\[2\]\.kind: .*'k8s-events' \| 'container-logs' \| 'journald' \| 'syslog'/);
    expect(message).toContain('extra: unknown key');
  });

  it('refuses two sources with one name, and names that cannot name a file', () => {
    expect(problemsOf('sources: [{kind: journald, cluster: a}, {kind: journald, cluster: a}]')).toContain('sources[1].name: "journald-a" is already used');
    expect(problemsOf('sources: [{kind: journald, cluster: a, name: "../x"}]')).toContain('sources[0].name: letters, digits');
    expect(problemsOf('sources: [{kind: container-logs, cluster: a, maxLineBytes: -1}]')).toMatch(/sources\[0\]\.maxLineBytes: /);
  });

  it('reports YAML that does not parse', () => {
    expect(problemsOf('sources: [\n')).toMatch(/^vigil.yaml is not valid YAML: /);
  });
});
