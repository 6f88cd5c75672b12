import { Option, type Command } from 'commander';
import { loadAuditPolicy, PolicyError, type LoadedPolicy } from '../../posture/audit-policy.js';
import { describeGeneratedCoverage, generatePolicy, POLICY_PROFILES, type PolicyProfile } from '../../posture/generator.js';
import { groupsOfResource } from '../../posture/kubernetes-resources.js';
import { rulesToYaml } from '../../posture/policy-yaml.js';
import { describeRequest, stagesProduced, userNamed, type RequestShape } from '../../posture/request-shape.js';
import { evaluatePolicy, loggedStages } from '../../posture/simulator.js';
import { UsageError } from '../exit.js';
import { loadRulesForCli, reportLoadNotes, rulesOption } from './detect.js';

interface GenerateOptions {
  profile: PolicyProfile;
  rules: string[];
}

interface ExplainOptions {
  auditPolicy: string;
  user?: string;
  groups?: string;
  verb: string;
  resource?: string;
  apiGroup?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
  output: 'table' | 'json';
}

export function register(program: Command): void {
  const policy = program.command('policy').description('Write and explain kube-apiserver audit policies');
  policy
    .command('generate')
    .description('Print an audit policy that lets every rule fire at the lowest level that suffices')
    .addOption(new Option('--profile <profile>', 'minimal: only what rules read; recommended: plus write bodies for investigations; forensic: full write bodies').choices(POLICY_PROFILES).default('recommended'))
    .addOption(rulesOption())
    .addHelpText('after', '\nExamples:\n  vigil policy generate > /etc/kubernetes/audit/audit-policy.yaml\n  vigil policy generate --profile minimal --rules ./my-rules')
    .action((options: GenerateOptions) => {
      const ruleSet = loadRulesForCli(options.rules);
      reportLoadNotes(ruleSet.notes);
      const generated = generatePolicy(options.profile, ruleSet.rules);
      process.stdout.write(generated.yaml);
      process.stderr.write(describeGeneratedCoverage(generated));
    });
  policy
    .command('explain')
    .description('Show the level and stages a request gets under a policy, and the rule that decides')
    .requiredOption('--audit-policy <file>', 'audit Policy (audit.k8s.io/v1)')
    .option('--user <name>', 'authenticated user name; omit for a request that failed authentication')
    .option('--groups <list>', 'comma-separated groups (default: what the apiserver gives that user name)')
    .requiredOption('--verb <verb>', 'get, list, watch, create, update, patch, delete, deletecollection (HTTP method for URLs)')
    .option('--resource <resource>', 'pods, pods/exec, deployments.apps, …')
    .option('--api-group <group>', 'API group of the resource ("" for core; default: known from the resource)')
    .option('--subresource <name>', 'subresource (or write resource/subresource)')
    .option('--namespace <name>', 'namespace (omit for cluster-scoped or all-namespace requests)', '')
    .option('--name <name>', 'object name')
    .option('--path <url>', 'non-resource URL path, e.g. /healthz')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .addHelpText('after', '\nExamples:\n  vigil policy explain --audit-policy policy.yaml --user alice@example.com --verb create --resource pods/exec --namespace prod\n  vigil policy explain --audit-policy policy.yaml --user system:anonymous --verb get --path /api')
    .action((options: ExplainOptions) => {
      process.stdout.write(explain(options));
    });
}

function loadPolicyForCli(path: string): LoadedPolicy {
  try {
    return loadAuditPolicy(path);
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.message);
    throw error;
  }
}

function explain(options: ExplainOptions): string {
  const loaded = loadPolicyForCli(options.auditPolicy);
  const request = requestOf(options);
  const decision = evaluatePolicy(loaded.policy, request);
  const logged = loggedStages(decision, request);
  const omitted = stagesProduced(request).filter((stage) => !logged.includes(stage));
  const rule = decision.ruleIndex === undefined ? undefined : loaded.policy.rules[decision.ruleIndex];
  const line = decision.ruleIndex === undefined ? undefined : loaded.ruleLines[decision.ruleIndex];
  if (options.output === 'json') {
    return `${JSON.stringify({ request, level: decision.level, logged, omitted, rule: rule === undefined ? null : { index: (decision.ruleIndex ?? 0) + 1, line, ...rule } }, null, 2)}\n`;
  }
  const ruleText =
    rule === undefined
      ? 'none matches: the default level None applies'
      : `#${(decision.ruleIndex ?? 0) + 1}${line ? ` (${options.auditPolicy}:${line})` : ''}\n${indent(rulesToYaml([rule]))}`;
  return [
    `request: ${describeRequest(request)}${request.user === undefined ? '' : ` (groups ${request.user.groups.join(', ')})`}`,
    `level:   ${decision.level}`,
    `stages:  ${logged.length > 0 ? logged.join(', ') : 'none'} logged${omitted.length > 0 ? `; ${omitted.join(', ')} not logged` : ''}`,
    `rule:    ${ruleText}`,
  ].join('\n');
}

function requestOf(options: ExplainOptions): RequestShape {
  const user = options.user === undefined ? undefined : userNamed(options.user, []);
  if (user !== undefined && options.groups !== undefined) user.groups = options.groups.split(',').map((group) => group.trim()).filter((group) => group !== '');
  if (options.path !== undefined) {
    if (options.resource !== undefined) throw new UsageError('give either --resource or --path, not both');
    return { user, verb: options.verb, path: options.path };
  }
  if (options.resource === undefined) throw new UsageError('give --resource (e.g. pods/exec) or --path (e.g. /healthz)');
  const [resourcePart, subFromPath] = options.resource.split('/');
  const dot = resourcePart.indexOf('.');
  const resource = dot < 0 ? resourcePart : resourcePart.slice(0, dot);
  const groupFromName = dot < 0 ? undefined : resourcePart.slice(dot + 1);
  const group = options.apiGroup ?? groupFromName ?? groupsOfResource(resource)?.[0] ?? '';
  return {
    user,
    verb: options.verb,
    resource: { group, resource, subresource: options.subresource ?? subFromPath, namespace: options.namespace ?? '', name: options.name },
  };
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `         ${line}`)
    .join('\n')
    .concat('\n');
}
