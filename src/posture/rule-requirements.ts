import { compileCondition, type CompiledCondition } from '../detect/condition.js';
import { derivedFieldFor } from '../detect/derived-fields.js';
import type { CompiledRule } from '../detect/rule.js';
import type { VigilEvent } from '../model/event.js';
import { higherLevel, REQUEST_STAGES, type AuditLevel, type AuditStage } from './audit-levels.js';
import {
  ConditionTooComplex,
  parseConditionSignature,
  SignatureError,
  toTerms,
  type ConditionNode,
  type FieldTest,
  type Literal,
  type Term,
} from './condition-signature.js';
import { exampleNamespacesOf, groupsOfResource, isClusterScoped, verbsFor } from './kubernetes-resources.js';
import { REQUEST_CATALOG } from './request-catalog.js';
import { REPRESENTATIVE_USERS, requestKey, userNamed, type RequestShape, type RequestUser, type ResourceTarget } from './request-shape.js';
import { syntheticEvent } from './synthetic-event.js';

/**
 * What the audit policy must produce for a rule to fire: the requests it watches, the level
 * (Request when it reads the request body, RequestResponse for the response body) and the
 * stages it accepts. Derived from the compiled rule, so Sigma and Falco imports get the same.
 */

export interface RequiredRequest {
  request: RequestShape;
  level: AuditLevel;
  /** Stages the rule accepts the event at. */
  stages: readonly AuditStage[];
  /** The rule reads the outcome (status code, authorization decision): RequestReceived events lack it. */
  needsResponse: boolean;
  /** Body fields the rule reads, which set `level`. */
  bodyFields: readonly string[];
}

export interface RequirementPart {
  /** `match`, or `sequence step 2` for the steps of a sequence. */
  label: string;
  requests: RequiredRequest[];
}

export interface RuleRequirement {
  rule: CompiledRule;
  /** True when the rule reads Kubernetes audit events, whose content the audit policy decides. */
  auditPolicyDecides: boolean;
  /** `every`: each request it watches should be logged; `any`: one suffices (an absence rule's heartbeat). */
  mode: 'every' | 'any';
  parts: RequirementPart[];
  /** Set when the rule could not be analysed; its coverage is then unknown. */
  unanalysable?: string;
  /** Assumptions the analysis made, for the reader. */
  notes: string[];
}

export function deriveRequirements(rules: readonly CompiledRule[]): RuleRequirement[] {
  return rules.map(deriveRequirement);
}

export function deriveRequirement(rule: CompiledRule): RuleRequirement {
  const auditPolicyDecides = rule.sources === undefined || rule.sources.has('k8s.audit');
  const mode = rule.operator.kind === 'absence' ? 'any' : 'every';
  const base: RuleRequirement = { rule, auditPolicyDecides, mode, parts: [], notes: [] };
  if (!auditPolicyDecides) return base;
  try {
    const match = parseConditionSignature(rule.condition.signature);
    if (match.kind === 'false') return { ...base, unanalysable: 'its condition can never match (see `vigil rules lint`)' };
    const operatorFields = operatorFieldsOf(rule);
    const conditions: Array<[string, ConditionNode]> =
      rule.operator.kind === 'sequence'
        ? rule.operator.steps.map((step, i) => [`sequence step ${i + 1}`, { kind: 'all', parts: [match, parseConditionSignature(step.signature)] }])
        : [['match', match]];
    const notes = new Set<string>();
    const parts = conditions.map(([label, node]) => ({ label, requests: requestsOf(toTerms(node), operatorFields, notes) }));
    return { ...base, parts, notes: [...notes] };
  } catch (error) {
    if (error instanceof SignatureError || error instanceof ConditionTooComplex) return { ...base, unanalysable: error.message };
    throw error;
  }
}

/** Fields a stateful operator reads besides the condition (distinct counts, new values). */
function operatorFieldsOf(rule: CompiledRule): string[] {
  const operator = rule.operator;
  if (operator.kind === 'threshold' && operator.distinct !== undefined) return [operator.distinct.canonical];
  if (operator.kind === 'new_value') return operator.fields.map((field) => field.canonical);
  return [];
}

function requestsOf(terms: readonly Term[], operatorFields: readonly string[], notes: Set<string>): RequiredRequest[] {
  const found = new Map<string, RequiredRequest>();
  for (const term of terms) {
    const needs = needsOf(term, operatorFields, notes);
    for (const request of candidateRequests(term, notes)) {
      if (!term.every((literal) => literalAllows(literal, request))) continue;
      const key = `${requestKey(request)}${JSON.stringify([needs.level, needs.stages, needs.needsResponse])}`;
      if (!found.has(key)) found.set(key, { request, ...needs });
    }
  }
  return [...found.values()];
}

// ---------------------------------------------------------------- level and stage

const RESPONSE_FIELDS = new Set(['event.outcome', 'http.response.status_code', 'vigil.k8s.decision']);
const STAGE_FIELD = 'vigil.k8s.stage';
/** Derived fields computed from the request body (src/detect/derived-fields.ts). */
const DERIVED_FROM_REQUEST_BODY = ['vigil.k8s.pod_spec', 'vigil.k8s.containers', 'vigil.k8s.image_repositories'];
/** Derived fields computed from metadata every level carries. */
const DERIVED_FROM_METADATA = ['vigil.k8s.exec_command'];

function needsOf(term: Term, operatorFields: readonly string[], notes: Set<string>): Omit<RequiredRequest, 'request'> {
  let level: AuditLevel = 'Metadata';
  const bodyFields: string[] = [];
  let stages: AuditStage[] = [...REQUEST_STAGES];
  let needsResponse = false;
  const read = (field: string): void => {
    const needed = levelToRead(field, notes);
    if (needed === 'Metadata') return;
    level = higherLevel(level, needed);
    if (!bodyFields.includes(field)) bodyFields.push(field);
  };
  for (const field of operatorFields) read(field);
  for (const { test, negated } of term) {
    const requiresValue = test.operator === 'exists' ? test.values[0] !== negated : !negated;
    if (test.field === STAGE_FIELD && test.operator === 'eq') {
      const named = test.values.map(String);
      stages = stages.filter((stage) => named.includes(stage) !== negated);
    }
    if (!requiresValue) continue;
    read(test.field);
    if (RESPONSE_FIELDS.has(test.field) || test.field.startsWith('responseStatus') || test.field.startsWith('annotations')) needsResponse = true;
  }
  return { level, stages, needsResponse, bodyFields };
}

function levelToRead(field: string, notes: Set<string>): AuditLevel {
  if (/^requestObject(?!\w)/.test(field)) return 'Request';
  if (/^responseObject(?!\w)/.test(field)) return 'RequestResponse';
  const under = (roots: readonly string[]) => roots.some((root) => field === root || field.startsWith(`${root}.`));
  if (under(DERIVED_FROM_REQUEST_BODY)) return 'Request';
  if (!under(DERIVED_FROM_METADATA) && derivedFieldFor(field) !== undefined) {
    notes.add(`reads derived field ${field}; assumed available at Metadata level`);
  }
  return 'Metadata';
}

// ---------------------------------------------------------------- which requests

const MAX_VALUES = 8;

interface Dimensions {
  verbs?: string[];
  resources?: string[];
  /** `null` stands for "no subresource". */
  subresources?: Array<string | null>;
  namespaces?: string[];
  names?: string[];
  users?: string[];
  groups: string[];
  apiGroups?: string[];
  paths?: string[];
}

function candidateRequests(term: Term, notes: Set<string>): RequestShape[] {
  const dims = dimensionsOf(term);
  if (dims.resources === undefined && dims.paths === undefined) return catalogRequests(dims);
  const users: RequestUser[] =
    dims.users === undefined
      ? REPRESENTATIVE_USERS.map((user) => withGroups(user, dims.groups))
      : dims.users.map((name) => userNamed(name, dims.groups));
  const targets = dims.resources !== undefined ? resourceTargets(dims, notes) : pathTargets(dims);
  const requests: RequestShape[] = [];
  for (const { verbs, resource, path } of targets) {
    for (const verb of verbs) for (const user of users) requests.push({ user, verb, resource, path });
  }
  return requests;
}

function withGroups(user: RequestUser, groups: readonly string[]): RequestUser {
  return groups.length === 0 ? user : { name: user.name, groups: [...new Set([...groups, ...user.groups])] };
}

interface Target {
  verbs: readonly string[];
  resource?: ResourceTarget;
  path?: string;
}

function resourceTargets(dims: Dimensions, notes: Set<string>): Target[] {
  const targets: Target[] = [];
  for (const resource of dims.resources ?? []) {
    let groups: readonly string[] | undefined = dims.apiGroups ?? groupsOfResource(resource);
    if (groups === undefined) {
      notes.add(`API group of "${resource}" unknown; assumed the core group ""`);
      groups = [''];
    }
    for (const group of groups) {
      for (const subresource of dims.subresources ?? [null]) {
        const sub = subresource ?? undefined;
        const verbs = dims.verbs ?? verbsFor(sub);
        for (const verb of verbs) {
          for (const namespace of namespacesFor(dims, resource, verb)) {
            for (const name of dims.names ?? [undefined]) {
              targets.push({ verbs: [verb], resource: { group, resource, subresource: sub, namespace, name } });
            }
          }
        }
      }
    }
  }
  return targets;
}

function namespacesFor(dims: Dimensions, resource: string, verb: string): string[] {
  if (dims.namespaces !== undefined) return dims.namespaces;
  if (isClusterScoped(resource)) return [''];
  const examples = exampleNamespacesOf(resource);
  return verb === 'list' || verb === 'watch' ? [...examples, ''] : [...examples];
}

function pathTargets(dims: Dimensions): Target[] {
  return (dims.paths ?? []).map((path) => ({ verbs: dims.verbs ?? ['get'], path }));
}

/**
 * Rules that name no resource watch any request of their callers: the catalog's requests, by the
 * callers the catalog gives them, stand for "any" (with the verbs, namespaces, names and users
 * the rule does name).
 */
function catalogRequests(dims: Dimensions): RequestShape[] {
  const requests: RequestShape[] = [];
  for (const entry of REQUEST_CATALOG) {
    if (entry.anyCaller === false) continue;
    for (const request of entry.requests) {
      const users = dims.users === undefined ? [request.user] : dims.users.map((name) => userNamed(name, dims.groups));
      if (request.resource === undefined) {
        if (dims.verbs !== undefined && !dims.verbs.includes(request.verb)) continue;
        for (const user of users) requests.push({ user: user === undefined ? undefined : withGroups(user, dims.groups), verb: request.verb, path: request.path });
        continue;
      }
      for (const resource of narrowed(request.resource, dims)) {
        for (const verb of dims.verbs ?? [request.verb]) {
          for (const user of users) requests.push({ user: user === undefined ? undefined : withGroups(user, dims.groups), verb, resource });
        }
      }
    }
  }
  return requests;
}

/** A catalog target moved into the namespaces and names the rule asks for. */
function narrowed(target: ResourceTarget, dims: Dimensions): ResourceTarget[] {
  const namespaces = dims.namespaces === undefined || target.namespace === '' ? [target.namespace] : dims.namespaces;
  const names = dims.names ?? [target.name];
  return namespaces.flatMap((namespace) => names.map((name) => ({ ...target, namespace, name })));
}

function dimensionsOf(term: Term): Dimensions {
  const dims: Dimensions = { groups: [] };
  const first = (field: string): FieldTest | undefined =>
    term.find((literal) => !literal.negated && literal.test.field === field && literal.test.operator !== 'exists')?.test;
  const mustBeAbsent = (field: string): boolean =>
    term.some((literal) => literal.test.field === field && literal.test.operator === 'exists' && literal.test.values[0] === literal.negated);
  const examples = (field: string): string[] | undefined => {
    const test = first(field);
    if (test === undefined) return undefined;
    const values = test.values.map((value) => exampleMatching(test.operator, String(value))).filter((value): value is string => value !== undefined);
    return values.length === 0 ? undefined : values.slice(0, MAX_VALUES);
  };
  const equalTo = (field: string): string[] | undefined => {
    const test = first(field);
    return test?.operator === 'eq' ? test.values.map(String).slice(0, MAX_VALUES) : undefined;
  };
  dims.verbs = equalTo('event.action');
  dims.resources = equalTo('orchestrator.resource.type');
  dims.subresources = mustBeAbsent('vigil.k8s.subresource') ? [null] : equalTo('vigil.k8s.subresource');
  dims.namespaces = mustBeAbsent('orchestrator.namespace') ? [''] : equalTo('orchestrator.namespace');
  dims.names = examples('orchestrator.resource.name');
  dims.users = examples('user.name');
  dims.groups = equalTo('user.group.name')?.slice(0, 1) ?? [];
  dims.apiGroups = equalTo('vigil.k8s.api_group');
  dims.paths = examples('url.original')?.filter((path) => path.startsWith('/')).map((path) => path.split('?')[0]);
  if (dims.paths?.length === 0) dims.paths = undefined;
  return dims;
}

/** A value the operator accepts for this pattern, to stand for "a request it matches". */
function exampleMatching(operator: string, pattern: string): string | undefined {
  switch (operator) {
    case 'eq':
    case 'contains':
      return pattern;
    case 'startswith':
      return `${pattern}x`;
    case 'endswith':
      return `x${pattern}`;
    case 'wildcard':
      return pattern.replace(/[*?]/g, 'x');
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- does the rule watch this request?

/** Fields whose value a request shape fixes; tests on any other field are assumed satisfiable. */
function knownFields(request: RequestShape): Set<string> {
  const known = new Set(['event.action', 'user.name', 'user.group.name', 'vigil.actor.kind', 'vigil.source', 'event.kind', 'event.category']);
  known.add('orchestrator.resource.type').add('vigil.k8s.subresource').add('orchestrator.namespace').add('vigil.k8s.api_group');
  if (request.resource?.name !== undefined || request.resource === undefined) known.add('orchestrator.resource.name');
  if (request.resource === undefined) known.add('url.original');
  return known;
}

interface Synthetic {
  event: VigilEvent;
  known: Set<string>;
}

const atomCache = new Map<string, CompiledCondition>();
const syntheticCache = new WeakMap<RequestShape, Synthetic>();

function literalAllows(literal: Literal, request: RequestShape): boolean {
  if (literal.test.operator === 'unknown') return true;
  let synthetic = syntheticCache.get(request);
  if (synthetic === undefined) {
    synthetic = { event: syntheticEvent(request), known: knownFields(request) };
    syntheticCache.set(request, synthetic);
  }
  if (!synthetic.known.has(literal.test.field)) return true;
  return atomOf(literal.test).test(synthetic.event) !== literal.negated;
}

/** The field test compiled by the engine's own compiler, so wildcards, case and numbers behave alike. */
function atomOf(test: FieldTest): CompiledCondition {
  const key = [test.field, test.operator, ...test.flags].join('|');
  const cacheKey = `${key}=${JSON.stringify(test.values)}`;
  let compiled = atomCache.get(cacheKey);
  if (compiled === undefined) {
    const value = test.operator === 'exists' ? test.values[0] : test.values;
    compiled = compileCondition({ [key]: value }, new Map(), 'coverage');
    atomCache.set(cacheKey, compiled);
  }
  return compiled;
}
