import { type Command, Option } from 'commander';
import { join } from 'node:path';
import { LedgerSession } from '../../ledger/ledger-session.js';
import { SqliteRuleStates } from '../../store/sqlite/rule-state.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { currentUser } from '../current-user.js';
import { UsageError } from '../exit.js';
import { signingKeyOption, witnessOption } from './ledger-options.js';
import { FORMAT_NAMES } from '../../detect/formats/registry.js';
import type { RuleFormat } from '../../detect/rule.js';
import { executeImport, planImport } from '../../detect/rule-import.js';
import { describeFinding, lintRuleLocations } from '../../detect/rule-lint.js';
import { runRuleTests, type RuleTestReport } from '../../detect/rule-tests.js';
import { exitCodes } from '../exit.js';
import { type OutputFormat, dataDirOption, outputOption } from '../options.js';
import { render } from '../render.js';
import { loadRulesForCli, rulesOption } from './detect.js';

interface RulesOptions {
  rules: string[];
  output: OutputFormat;
}

export function register(program: Command): void {
  const rules = program.command('rules').description('List, lint, import and test detection rules (Vigil, Sigma, Falco)');
  registerList(rules);
  registerLint(rules);
  registerImport(rules);
  for (const enabled of [true, false]) registerStateChange(rules, enabled);
  rules
    .command('test')
    .description("Run every rule's positive and negative test events; exit 1 if any fails")
    .addOption(rulesOption())
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  vigil rules test\n  vigil rules test --rules ./my-rules')
    .action((options: RulesOptions) => {
      const report = runRuleTests(loadRulesForCli(options.rules).rules);
      process.stdout.write(options.output === 'table' ? describeReport(report) : render(options.output, [report], () => ({ columns: [], rows: [] })));
      process.exitCode = report.failed > 0 ? exitCodes.problems : exitCodes.ok;
    });
}

function registerList(rules: Command): void {
  rules
    .command('list')
    .description('List the rules of a rule set, with their format and, for imported rules, their author')
    .addOption(rulesOption())
    .addOption(new Option('--format <format>', 'only rules of this format').choices(FORMAT_NAMES))
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  vigil rules list\n  vigil rules list --rules ./sigma --rules ./falco --format sigma -o json')
    .action((options: RulesOptions & { format?: RuleFormat }) => {
      const loaded = loadRulesForCli(options.rules).rules.filter((rule) => options.format === undefined || rule.meta.format === options.format);
      const documents = loaded.map(({ meta, operator, sources, enabled }) => ({
        id: meta.id,
        title: meta.title,
        severity: meta.severity,
        techniques: meta.techniques,
        kind: operator.kind,
        sources: sources ? [...sources] : ['*'],
        format: meta.format,
        ...(meta.author === undefined ? {} : { author: meta.author }),
        ...(meta.nativeSeverity === undefined ? {} : { nativeSeverity: meta.nativeSeverity }),
        enabled,
        origin: meta.origin,
      }));
      process.stdout.write(
        render(options.output, documents, () => ({
          columns: ['id', 'format', 'severity', 'kind', 'techniques', 'title', 'author'],
          rows: documents.map((rule) => [rule.id, rule.format, rule.severity, rule.enabled ? rule.kind : `${rule.kind} (disabled)`, rule.techniques.join(','), rule.title, rule.author]),
        })),
      );
    });
}

function registerLint(rules: Command): void {
  rules
    .command('lint')
    .description('Check rule files of any format: report what stops them from loading and rules that cannot match any event, with the reason; exit 1 when any')
    .argument('<paths...>', 'rule files or directories ("builtin" for the built-in pack)')
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  vigil rules lint ./sigma/kubernetes-audit\n  vigil rules lint falco_k8s_audit_rules.yaml my_overrides.yaml')
    .action((paths: string[], options: { output: OutputFormat }) => {
      const report = lintRuleLocations(paths);
      if (options.output === 'table') {
        const lines = report.findings.map(describeFinding);
        lines.push(`${report.rules} rule(s) loaded; ${report.failures} finding(s) that need attention`);
        process.stdout.write(`${lines.join('\n')}\n`);
      } else {
        process.stdout.write(render(options.output, report.findings, () => ({ columns: [], rows: [] })));
      }
      process.exitCode = report.failures > 0 ? exitCodes.problems : exitCodes.ok;
    });
}

function registerImport(rules: Command): void {
  rules
    .command('import')
    .description('Copy rule files (Vigil, Sigma, Falco) into a rules directory after checking they load, alone and beside what it holds')
    .argument('<paths...>', 'rule files or directories')
    .option('--into <dir>', 'the rules directory (default: <data-dir>/rules)')
    .option('--force', 'replace files of the same name with other content', false)
    .addOption(dataDirOption())
    .addHelpText('after', '\nThe rules run unmodified: use them with `vigil detect --rules DIR`.\n\nExamples:\n  vigil rules import ./sigma/rules/application/kubernetes/audit --into ./my-rules\n  vigil rules import k8s_audit_rules.yaml')
    .action((paths: string[], options: { into?: string; force: boolean; dataDir: string }) => {
      const into = options.into ?? join(options.dataDir, 'rules');
      const plan = planImport(paths, into, options.force);
      if (plan.problems.length > 0) {
        process.stderr.write(`nothing imported; ${plan.problems.length} problem(s):\n  ${plan.problems.join('\n  ')}\n`);
        process.exitCode = exitCodes.problems;
        return;
      }
      executeImport(plan);
      const lines = plan.files.map((file) => `imported ${file.to} (${file.format}, ${file.rules} rule(s))`);
      lines.push(...plan.notes.map((note) => `${note.kind}: ${note.origin}${note.rule === undefined ? '' : `: rule ${note.rule}`}: ${note.message}`));
      const total = plan.files.reduce((sum, file) => sum + file.rules, 0);
      lines.push(`${total} rule(s) from ${plan.files.length} file(s) imported into ${into}`);
      process.stdout.write(`${lines.join('\n')}\n`);
      process.exitCode = exitCodes.ok;
    });
}

interface StateChangeOptions {
  rules: string[];
  dataDir: string;
  reason?: string;
  actor?: string;
  signingKey?: string;
  witness: string[];
}

function registerStateChange(rules: Command, enabled: boolean): void {
  const verb = enabled ? 'enable' : 'disable';
  rules
    .command(verb)
    .description(
      enabled
        ? 'Run a rule again on what a data directory receives (a running vigil serve follows at once); recorded in the ledger'
        : 'Stop running a rule on what a data directory receives, also after restarts (a running vigil serve follows at once); recorded in the ledger',
    )
    .argument('<rule-id>', 'the rule (vigil rules list shows the ids)')
    .option('--reason <text>', 'why, kept in the ledger record')
    .option('--actor <name>', 'who, in the ledger record (default: the OS user)')
    .addOption(rulesOption())
    .addOption(dataDirOption())
    .addOption(signingKeyOption())
    .addOption(witnessOption())
    .addHelpText('after', `\nThe same as POST /api/v1/rules/ID/${verb} with an admin token.\n\nExamples:\n  vigil rules ${verb} k8s-exec-into-pod --data-dir ./vigil-data --reason "noisy during the migration"`)
    .action(async (ruleId: string, options: StateChangeOptions) => {
      const rule = loadRulesForCli(options.rules).rules.find((candidate) => candidate.meta.id === ruleId);
      if (rule === undefined) throw new UsageError(`no rule "${ruleId}" in ${options.rules.length === 0 ? 'the built-in pack' : options.rules.join(', ')}; vigil rules list shows the ids`);
      const store = SqliteStore.open(options.dataDir, { mustExist: true });
      try {
        const report = (message: string) => process.stderr.write(`vigil: ${message}\n`);
        // The key is loaded first: nothing is changed unless the change can be signed.
        const session = await LedgerSession.open(store, { dataDir: options.dataDir, keyFile: options.signingKey, witnessDirs: options.witness }, report);
        const by = options.actor ?? currentUser();
        const changed = new SqliteRuleStates(store.db).change({ ruleId, title: rule.meta.title, enabled, fileDefault: rule.enabled, by, reason: options.reason }, (action) => session.record(action));
        const end = await session.finish();
        process.stdout.write(changed ? `rule ${ruleId} ${verb}d by ${by}\n` : `rule ${ruleId} already was ${verb}d; nothing changed\n`);
        process.exitCode = end.witnessFailures > 0 ? exitCodes.problems : exitCodes.ok;
      } finally {
        await store.close();
      }
    });
}

function describeReport(report: RuleTestReport): string {
  const lines: string[] = [];
  for (const result of report.results) {
    if (!result.passed) lines.push(`FAIL ${result.ruleId} (${result.origin}) ${result.kind} "${result.name}": ${result.problem}`);
  }
  for (const id of report.untested) lines.push(`warning: rule ${id} lacks a positive or a negative test`);
  const rules = new Set(report.results.map((result) => result.ruleId)).size;
  const passed = report.results.length - report.failed;
  lines.push(`${passed}/${report.results.length} rule tests passed (${rules} rules)${report.failed > 0 ? `, ${report.failed} failed` : ''}`);
  return `${lines.join('\n')}\n`;
}
