import { describe, expect, it } from 'vitest';
import { auditEvent } from '../../../../test/detect-formats/audit-event.js';
import type { VigilEvent } from '../../../model/event.js';
import { conditionBuilder } from '../../condition.js';
import { FalcoConditionCompiler } from './compile-condition.js';
import { readFalcoRulesFile } from './rules-file.js';
import { mergeFalcoItems } from './rule-set.js';

const DEFINITIONS = `
- list: nginx_images
  items: [nginx]
- list: allowed_images
  items: [nginx_images, registry.example.com]
- list: empty_list
  items: []
- macro: health_endpoint
  condition: ka.uri=/healthz or ka.uri startswith /healthz?
- macro: always
  condition: (jevt.rawtime exists)
- macro: never
  condition: (jevt.rawtime=0)
`;

function compile(condition: string, exceptions: string = '[]') {
  const set = mergeFalcoItems(readFalcoRulesFile('defs.yaml', DEFINITIONS));
  const compiler = new FalcoConditionCompiler(set, conditionBuilder(new Map()));
  const parsed = readFalcoRulesFile('rule.yaml', `- rule: R\n  desc: d\n  condition: x\n  output: o\n  priority: INFO\n  exceptions: ${exceptions}\n`)[0];
  return compiler.compileRule(condition, parsed.kind === 'rule' ? (parsed.fields.exceptions ?? []) : []);
}
const matches = (condition: string, event: VigilEvent = auditEvent(), exceptions?: string): boolean => compile(condition, exceptions).condition.test(event);

describe('Falco operators on audit events', () => {
  it('compare text exactly; numbers and booleans as their JSON text', () => {
    expect(matches('ka.verb=create')).toBe(true);
    expect(matches('ka.verb=Create')).toBe(false);
    expect(matches('ka.response.code startswith 2')).toBe(true);
    expect(matches('ka.response.code=201')).toBe(true);
    expect(matches('ka.user.name icontains ALICE')).toBe(true);
    expect(matches('ka.user.name contains ALICE')).toBe(false);
    expect(matches('ka.uri endswith /pods')).toBe(true);
  });

  it('use "in" as "every value is in the set" and "intersects" as "some value is"', () => {
    expect(matches('ka.req.pod.containers.image.repository in (nginx, registry.example.com)')).toBe(true);
    expect(matches('ka.req.pod.containers.image.repository in (nginx)')).toBe(false);
    expect(matches('ka.req.pod.containers.image.repository intersects (nginx)')).toBe(true);
    expect(matches('ka.req.pod.containers.privileged intersects (true)')).toBe(true);
    expect(matches('ka.target.namespace in (kube-system, shop)')).toBe(true);
  });

  it('expand list names inside ( … ), nested lists included', () => {
    expect(matches('ka.req.pod.containers.image.repository in (allowed_images)')).toBe(true);
    expect(matches('ka.req.pod.containers.image.repository intersects (nginx_images)')).toBe(true);
  });

  it('make every comparison on an unset field false, so its negation is true', () => {
    expect(matches('ka.target.subresource=exec')).toBe(false);
    expect(matches('ka.target.subresource!=exec')).toBe(false);
    expect(matches('not ka.target.subresource in (exec, attach)')).toBe(true);
    expect(matches('ka.target.subresource exists')).toBe(false);
  });

  it('expand a macro as a group, so "not macro" negates all of it', () => {
    const healthz = auditEvent({ requestURI: '/healthz?verbose' });
    expect(matches('not health_endpoint', healthz)).toBe(false);
    expect(matches('not health_endpoint')).toBe(true);
  });

  it('match globs, path prefixes and anchored regular expressions', () => {
    expect(matches('ka.user.name glob "*@example.com"')).toBe(true);
    expect(matches('ka.user.name glob "alice@*.org"')).toBe(false);
    expect(matches('ka.req.pod.volumes.hostpath pmatch (/var/run)')).toBe(true);
    expect(matches('ka.req.pod.volumes.hostpath pmatch (/var/ru)')).toBe(false);
    expect(matches('ka.verb regex "cr.*"')).toBe(true);
    expect(matches('ka.verb regex "rea"')).toBe(false);
    expect(matches('jevt.rawtime > 1000000000000000000')).toBe(true);
  });

  it('apply exceptions: one field with plain values, or tuples over several fields', () => {
    expect(matches('ka.verb=create', auditEvent(), '[{name: ns, fields: ka.target.namespace, values: [shop, dev]}]')).toBe(false);
    expect(matches('ka.verb=create', auditEvent(), '[{name: ns, fields: ka.target.namespace, values: [dev]}]')).toBe(true);
    const tuples = '[{name: who, fields: [ka.user.name, ka.target.namespace], comps: [=, in], values: [[alice@example.com, [shop, dev]]]}]';
    expect(matches('ka.verb=create', auditEvent(), tuples)).toBe(false);
    expect(matches('ka.verb=create', auditEvent({ user: { username: 'bob' } }), tuples)).toBe(true);
  });
});

describe('constant parts', () => {
  it('fold away and name the macros that are constant', () => {
    expect(compile('ka.verb=create and never')).toMatchObject({ condition: { signature: 'false' }, constantMacros: ['never'] });
    expect(compile('ka.verb=create and always').condition.signature).not.toBe('false');
    expect(compile('ka.user.name in (empty_list)').condition.signature).toBe('false');
    expect(compile('not ka.user.name in (empty_list) and always').condition.signature).toBe('true');
  });

  it('tell the rule index which verbs and resources a condition needs', () => {
    const { condition } = compile('ka.verb in (create, update) and ka.target.resource=pods');
    expect(condition.hints).toEqual({ verb: new Set(['create', 'update']), resource: new Set(['pods']) });
  });

  it('refuse undefined macros', () => {
    expect(() => compile('ka.verb=create and nosuch')).toThrow('undefined macro "nosuch"');
  });
});
