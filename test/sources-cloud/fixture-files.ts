import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SHARED_FIXTURES } from '../helpers/cli.js';

export const ELASTIC = join(SHARED_FIXTURES, 'elastic');
export const ELASTIC_FILES = {
  audit: join(ELASTIC, 'audit', 'test-audit.log'),
  aks: join(ELASTIC, 'aks', 'test-kube-audit.log'),
  gke: join(ELASTIC, 'gke', 'test-k8s-nonmatching-resourcename.log'),
  ingress: join(ELASTIC, 'nginx-ingress', 'test-ingest-raw.log'),
};

/** The hand-written samples of the cloud and network sources (test/fixtures/<kind>/). */
export const OWN_KINDS = ['eks', 'gke', 'aks', 'ingress-nginx', 'hubble', 'tetragon'] as const;
export const OWN = (kind: (typeof OWN_KINDS)[number], name: string) => join(REPO_ROOT, 'test', 'fixtures', kind, name);

export function ownFixtureFiles(): string[] {
  return OWN_KINDS.flatMap((kind) =>
    readdirSync(join(REPO_ROOT, 'test', 'fixtures', kind))
      .filter((name) => name !== 'README.md')
      .sort()
      .map((name) => OWN(kind, name)),
  );
}

export function elasticFixtureFiles(): string[] {
  return readdirSync(ELASTIC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => readdirSync(join(ELASTIC, entry.name)).map((name) => join(ELASTIC, entry.name, name)))
    .sort();
}
