import type { Scalar } from '../detect/value-tests.js';
import type { ConditionNode, FieldTest } from './condition-signature.js';

/**
 * Field tests of imported rules, read from their condition signatures. The Sigma and Falco
 * importers compile to the engine's condition model but with their own leaves
 * (`sigma:objectRef.resource|{modifiers}="pods"`, `falco:ka.verb in ["create"]`); this maps
 * them onto Vigil field names and operators so the coverage analysis treats every format alike.
 * Operators it cannot translate become `unknown`, which the analysis treats as satisfiable.
 */

/** Paths of the audit Event that are normalized fields (src/model/k8s-audit.ts). */
const AUDIT_PATHS: Readonly<Record<string, string>> = {
  verb: 'event.action',
  'objectRef.resource': 'orchestrator.resource.type',
  'objectRef.subresource': 'vigil.k8s.subresource',
  'objectRef.namespace': 'orchestrator.namespace',
  'objectRef.name': 'orchestrator.resource.name',
  'objectRef.apiGroup': 'vigil.k8s.api_group',
  'user.username': 'user.name',
  'user.groups': 'user.group.name',
  'impersonatedUser.username': 'vigil.impersonated_user',
  stage: 'vigil.k8s.stage',
  'responseStatus.code': 'http.response.status_code',
  requestURI: 'url.original',
  userAgent: 'user_agent.original',
  'annotations.authorization.k8s.io/decision': 'vigil.k8s.decision',
};

/** A raw path of the audit Event under the name the analysis knows it by. */
export function canonicalAuditPath(path: string): string {
  return AUDIT_PATHS[path] ?? path;
}

const FALCO_FIELDS: Readonly<Record<string, string>> = {
  'ka.verb': 'event.action',
  'ka.stage': 'vigil.k8s.stage',
  'ka.target.resource': 'orchestrator.resource.type',
  'ka.target.subresource': 'vigil.k8s.subresource',
  'ka.target.namespace': 'orchestrator.namespace',
  'ka.target.name': 'orchestrator.resource.name',
  'ka.req.configmap.name': 'orchestrator.resource.name',
  'ka.user.name': 'user.name',
  'ka.user.groups': 'user.group.name',
  'ka.impuser.name': 'vigil.impersonated_user',
  'ka.response.code': 'http.response.status_code',
  'ka.auth.decision': 'vigil.k8s.decision',
  'ka.uri': 'url.original',
  'ka.useragent': 'user_agent.original',
};

function falcoFieldName(name: string): string {
  const known = FALCO_FIELDS[name];
  if (known !== undefined) return known;
  const jsonPointer = /^(?:jevt|json)\.value\[(\/[^\]]*)\]$/.exec(name);
  if (jsonPointer !== null) return canonicalAuditPath(jsonPointer[1].slice(1).split('/').join('.'));
  // ka.req.* read the request body and ka.resp.* the response body (src/detect/formats/falco/fields.ts).
  if (name.startsWith('ka.req.')) return `requestObject via ${name}`;
  if (name.startsWith('ka.resp.')) return `responseObject via ${name}`;
  return name;
}

const FALCO_OPERATORS: Readonly<Record<string, { operator: string; flags: string[]; negated?: boolean }>> = {
  '=': { operator: 'eq', flags: [] },
  '==': { operator: 'eq', flags: [] },
  in: { operator: 'eq', flags: [] },
  intersects: { operator: 'eq', flags: [] },
  '!=': { operator: 'eq', flags: [], negated: true },
  contains: { operator: 'contains', flags: ['cased'] },
  icontains: { operator: 'contains', flags: [] },
  startswith: { operator: 'startswith', flags: ['cased'] },
  pmatch: { operator: 'startswith', flags: ['cased'] },
  endswith: { operator: 'endswith', flags: ['cased'] },
  glob: { operator: 'wildcard', flags: ['cased'] },
  '<': { operator: 'lt', flags: [] },
  '<=': { operator: 'lte', flags: [] },
  '>': { operator: 'gt', flags: [] },
  '>=': { operator: 'gte', flags: [] },
};

export interface ForeignAtom {
  node: ConditionNode;
  /** Index just past the atom in the signature text. */
  end: number;
}

/** `falco:<field> <operator> <json list>` */
export function readFalcoAtom(text: string, start: number): ForeignAtom {
  const body = start + 'falco:'.length;
  const fieldEnd = text.indexOf(' ', body);
  const operatorEnd = fieldEnd < 0 ? -1 : text.indexOf(' ', fieldEnd + 1);
  if (fieldEnd < 0 || operatorEnd < 0) throw new Error('expected "falco:field operator [values]"');
  const name = text.slice(body, fieldEnd);
  const operator = text.slice(fieldEnd + 1, operatorEnd);
  const { value, end } = readJson(text, operatorEnd + 1);
  const values = (Array.isArray(value) ? value : [value]) as Scalar[];
  const field = falcoFieldName(name);
  if (operator === 'exists') return { node: test(field, 'exists', [], [true]), end };
  const mapped = FALCO_OPERATORS[operator];
  // `in` over a list field means "every value is in the list", which Vigil's eq does not say.
  const listIn = operator === 'in' && (name === 'ka.user.groups' || name === 'ka.sourceips');
  if (mapped === undefined || listIn) return { node: test(field, 'unknown', [], values), end };
  const node = test(field, mapped.operator, mapped.flags, values);
  return { node: mapped.negated ? { kind: 'not', part: node } : node, end };
}

interface SigmaModifiers {
  transforms?: string[];
  matcher?: string;
  fieldref?: boolean;
  all?: boolean;
  cased?: boolean;
  neq?: boolean;
}

/** `sigma:<path>|exists=<bool>`, `sigma:<path>|{modifiers}=<json value>`, `sigma:keyword=<json>` */
export function readSigmaAtom(text: string, start: number): ForeignAtom {
  const body = start + 'sigma:'.length;
  if (text.startsWith('keyword=', body)) {
    const { end } = readJson(text, body + 'keyword='.length);
    return { node: test('record', 'unknown', [], []), end };
  }
  const bar = text.indexOf('|', body);
  if (bar < 0) throw new Error('expected "sigma:path|modifiers=value"');
  const field = canonicalAuditPath(text.slice(body, bar));
  if (text.startsWith('exists=', bar + 1)) {
    const wanted = text.startsWith('true', bar + 8);
    return { node: test(field, 'exists', [], [wanted]), end: bar + 8 + (wanted ? 4 : 5) };
  }
  const modifiersJson = readJson(text, bar + 1);
  if (text[modifiersJson.end] !== '=') throw new Error('expected "=" after the Sigma modifiers');
  const { value, end } = readJson(text, modifiersJson.end + 1);
  const modifiers = modifiersJson.value as SigmaModifiers;
  if (value === null) return { node: test(field, 'exists', [], [false]), end };
  const node = sigmaTest(field, modifiers, value as Scalar);
  return { node: modifiers.neq === true ? { kind: 'not', part: node } : node, end };
}

function sigmaTest(field: string, modifiers: SigmaModifiers, value: Scalar): FieldTest {
  if ((modifiers.transforms?.length ?? 0) > 0 || modifiers.fieldref === true) return test(field, 'unknown', [], [value]);
  const flags = modifiers.cased === true ? ['cased'] : [];
  switch (modifiers.matcher) {
    case undefined:
      // Plain Sigma values match whole, case-insensitively, with * and ? wildcards.
      return typeof value === 'string' && /[*?]/.test(value) ? test(field, 'wildcard', flags, [value]) : test(field, 'eq', modifiers.cased === true ? [] : ['i'], [value]);
    case 'contains':
    case 'startswith':
    case 'endswith':
    case 'cidr':
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return test(field, modifiers.matcher, flags, [value]);
    case 're':
      return test(field, 'regex', flags, [value]);
    default:
      return test(field, 'unknown', [], [value]);
  }
}

function test(field: string, operator: string, flags: string[], values: Scalar[]): FieldTest {
  return { kind: 'field', field, operator, flags, values };
}

/** One JSON value starting at `start` (string, number, literal, list or object). */
function readJson(text: string, start: number): { value: unknown; end: number } {
  const first = text[start];
  let end = start;
  if (first === '"' || first === '[' || first === '{') {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const char = text[i];
      if (inString) {
        if (char === '\\') i++;
        else if (char === '"') {
          inString = false;
          if (depth === 0) {
            end = i + 1;
            break;
          }
        }
      } else if (char === '"') inString = true;
      else if (char === '[' || char === '{') depth++;
      else if ((char === ']' || char === '}') && --depth === 0) {
        end = i + 1;
        break;
      }
    }
  } else {
    const match = /^[-\w.+]+/.exec(text.slice(start));
    end = start + (match?.[0].length ?? 0);
  }
  if (end === start) throw new Error(`expected a JSON value at ${start}`);
  return { value: JSON.parse(text.slice(start, end)), end };
}
