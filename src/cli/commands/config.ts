import type { Command } from 'commander';
import { type AlertingConfig, AlertingConfigError } from '../../alert/config.js';
import { alertingConfigOf, readConfigSections } from '../../alert/config-file.js';
import { describeRoutes } from '../../alert/describe-config.js';
import { ConfigError, parseServeConfig } from '../../config/serve-config.js';
import { exitCodes } from '../exit.js';

export function register(program: Command): void {
  const config = program.command('config').description("Vigil's config file (vigil serve --config)");
  config
    .command('check')
    .description('Validate a config file: every problem named by its key; secrets are resolved from the environment, never printed')
    .argument('<file>')
    .addHelpText('after', '\nExit status 0 when the file is valid, 1 when it has problems.\nExample:\n  SLACK_WEBHOOK_URL=… PD_ROUTING_KEY=… vigil config check vigil.yaml')
    .action((file: string) => {
      process.exitCode = check(file);
    });
}

function check(file: string): number {
  const problems: string[] = [];
  let alerting: AlertingConfig | undefined;
  let sources = 0;
  try {
    const sections = readConfigSections(file);
    try {
      sources = parseServeConfig(sections.rest, file).sources.length;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
    }
    try {
      alerting = alertingConfigOf(sections, file);
    } catch (error) {
      if (!(error instanceof AlertingConfigError)) throw error;
      problems.push(...error.problems);
    }
  } catch (error) {
    if (!(error instanceof AlertingConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0) {
    process.stderr.write(`${problems.join('\n')}\n`);
    return exitCodes.problems;
  }
  const lines = [`${file}: valid`, `  sources: ${sources}`];
  if (alerting) lines.push(...describeRoutes(alerting).map((line) => `  ${line}`));
  process.stdout.write(`${lines.join('\n')}\n`);
  return exitCodes.ok;
}
