import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SOURCES } from '../../src/sources/registry.js';
import { SHARED_FIXTURES } from '../helpers/cli.js';
import { objectsIn } from '../helpers/fixtures.js';

const OWN = fileURLToPath(new URL('../fixtures/', import.meta.url));
const linesOf = (path: string) => readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
const claimingValue = (value: unknown) => SOURCES.filter((source) => source.recognises(value)).map((source) => source.name);
const claimingLine = (line: string) => SOURCES.filter((source) => source.lines?.recognises(line)).map((source) => source.name);

describe('auto-detection never confuses sources', () => {
  it('gives every Event object, list and frame to k8s-event alone', () => {
    const files = [...readdirSync(join(SHARED_FIXTURES, 'k8s-events')).filter((n) => n.endsWith('.json')).map((n) => join(SHARED_FIXTURES, 'k8s-events', n)), join(OWN, 'k8s-event', 'events-v1-list.json'), join(OWN, 'k8s-event', 'core-v1-watch.ndjson')];
    for (const value of files.flatMap(objectsIn)) expect(claimingValue(value)).toEqual(['k8s-event']);
  });

  it('gives journal entries to journald alone, and no JSON value to syslog', () => {
    for (const line of linesOf(join(OWN, 'node', 'journal.json'))) expect(claimingValue(JSON.parse(line))).toEqual(['journald']);
  });

  it('gives CRI and docker lines to container alone, and syslog lines to syslog alone', () => {
    const container = readdirSync(join(OWN, 'container')).filter((n) => n.endsWith('.log'));
    for (const name of container) for (const line of linesOf(join(OWN, 'container', name))) expect(claimingLine(line)).toEqual(['container']);
    for (const line of linesOf(join(SHARED_FIXTURES, 'container-logs', 'fluent-bit', 'core_base_fluent-bit.log'))) expect(claimingLine(line)).toEqual(['container']);
    for (const name of ['auth.log', 'auth-rfc3339.log']) for (const line of linesOf(join(OWN, 'node', name))) expect(claimingLine(line)).toEqual(['syslog']);
  });

  it('leaves audit events and ingress access lines to their own sources', () => {
    for (const value of objectsIn(join(SHARED_FIXTURES, 'elastic', 'audit', 'test-audit.log'))) expect(claimingValue(value)).not.toContain('k8s-event');
    for (const line of linesOf(join(SHARED_FIXTURES, 'elastic', 'nginx-ingress', 'test-ingest-raw.log'))) expect(claimingLine(line).filter((name) => name === 'container' || name === 'syslog')).toEqual([]);
  });
});
