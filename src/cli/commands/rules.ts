import type { Command } from 'commander';
import { runRuleTests, type RuleTestReport } from '../../detect/rule-tests.js';
import { exitCodes } from '../exit.js';
import { type OutputFormat, outputOption } from '../options.js';
import { render } from '../render.js';
import { loadRulesForCli, rulesOption } from './detect.js';

interface RulesOptions {
  rules: string;
  output: OutputFormat;
}

export function register(program: Command): void {
  const rules = program.command('rules').description('List detection rules and run their built-in tests');
  rules
    .command('list')
    .description('List the rules of a rule set')
    .addOption(rulesOption())
    .addOption(outputOption())
    .action((options: RulesOptions) => {
      const loaded = loadRulesForCli(options.rules);
      const documents = loaded.map(({ meta, operator, sources }) => ({
        id: meta.id,
        title: meta.title,
        severity: meta.severity,
        techniques: meta.techniques,
        kind: operator.kind,
        sources: sources ? [...sources] : ['*'],
        format: meta.format,
        origin: meta.origin,
      }));
      process.stdout.write(
        render(options.output, documents, () => ({
          columns: ['id', 'severity', 'kind', 'techniques', 'title'],
          rows: documents.map((rule) => [rule.id, rule.severity, rule.kind, rule.techniques.join(','), rule.title]),
        })),
      );
    });
  rules
    .command('test')
    .description("Run every rule's positive and negative test events; exit 1 if any fails")
    .addOption(rulesOption())
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  vigil rules test\n  vigil rules test --rules ./my-rules')
    .action((options: RulesOptions) => {
      const report = runRuleTests(loadRulesForCli(options.rules));
      process.stdout.write(options.output === 'table' ? describeReport(report) : render(options.output, [report], () => ({ columns: [], rows: [] })));
      process.exitCode = report.failed > 0 ? exitCodes.problems : exitCodes.ok;
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
