import { type Command, Option } from 'commander';
import { alertToJson, severityRank, type Alert, type AlertJson } from '../../detect/alert.js';
import { Detector } from '../../detect/detector.js';
import type { LoadNote } from '../../detect/formats/rule-format.js';
import { type LoadedRuleSet, RuleLoadError, loadRuleSets } from '../../detect/loader.js';
import { SEVERITIES, type Severity } from '../../detect/rule-schema.js';
import { inputFromPath, totalBytesRead, totalSize } from '../../sources/input.js';
import { readEvents } from '../../sources/read.js';
import { UsageError, exitCodes } from '../exit.js';
import { type OutputFormat, clusterOption, outputOption } from '../options.js';
import { byteProgress } from '../progress.js';
import { alertTable } from '../alert-table.js';
import { render } from '../render.js';

interface DetectOptions {
  rules: string[];
  cluster: string;
  output: OutputFormat;
  minSeverity: Severity;
}

export function register(program: Command): void {
  program
    .command('detect')
    .description('Run detection rules over audit log files or stdin and print the alerts (no store needed)')
    .argument('<paths...>', 'files to read (JSON lines, pretty-printed JSON, EventList; gzip recognised); - for stdin')
    .addOption(rulesOption())
    .addOption(clusterOption())
    .addOption(outputOption())
    .addOption(new Option('--min-severity <level>', 'only print alerts at or above this severity').choices(SEVERITIES).default('info'))
    .addHelpText(
      'after',
      `
Events are evaluated in the order read: give files oldest first. Exit status 1 when any alert
is printed (or records had to be skipped), 0 when none.

Examples:
  vigil detect /var/log/kubernetes/audit/audit.log
  zcat audit-*.log.gz | vigil detect -o ndjson -
  vigil detect --rules ./my-rules --min-severity high audit.log
  vigil detect --rules falco_k8s_audit_rules.yaml --rules ./sigma-rules --rules builtin audit.log`,
    )
    .action(async (paths: string[], options: DetectOptions) => {
      process.exitCode = await runDetect(paths, options);
    });
}

/**
 * `--rules PATH`, repeatable: rule files or directories in any format Vigil reads (Vigil YAML,
 * Sigma, Falco; recognised from each file's content), loaded in the order given. Naming any
 * replaces the built-in pack; `--rules builtin` brings it back.
 */
export function rulesOption(): Option {
  return new Option('--rules <path>', 'rules file or directory (Vigil, Sigma or Falco; repeatable; "builtin" = the built-in pack)')
    .argParser((value: string, previous: string[]) => [...previous, value])
    .default([], 'builtin');
}

/** Loads a rule set (`--rules` values, or one location), turning rule mistakes into a usage error that lists every problem. */
export function loadRulesForCli(locations: string | readonly string[]): LoadedRuleSet {
  try {
    return loadRuleSets(typeof locations === 'string' ? [locations] : locations);
  } catch (error) {
    if (error instanceof RuleLoadError) throw new UsageError(error.message);
    throw error;
  }
}

/** One stderr line per skipped group, and a pointer to `vigil rules lint` for rules that cannot match. */
export function reportLoadNotes(notes: readonly LoadNote[]): void {
  for (const note of notes.filter((n) => n.kind === 'skipped')) process.stderr.write(`rules: ${note.origin}: ${note.message}\n`);
  const dead = notes.filter((n) => n.kind === 'cannot-match').length;
  const warnings = notes.filter((n) => n.kind === 'warning').length;
  if (dead > 0) process.stderr.write(`rules: ${dead} rule(s) cannot match any event; \`vigil rules lint\` says why\n`);
  if (warnings > 0) process.stderr.write(`rules: ${warnings} warning(s); see \`vigil rules lint\`\n`);
}

async function runDetect(paths: string[], options: DetectOptions): Promise<number> {
  const ruleSet = loadRulesForCli(options.rules);
  reportLoadNotes(ruleSet.notes);
  const detector = new Detector(ruleSet.rules);
  const minimum = severityRank(options.minSeverity);
  const shown = (alert: Alert): boolean => severityRank(alert.rule.severity) >= minimum;
  const streaming = options.output === 'ndjson';
  const collected: AlertJson[] = [];
  let printed = 0;
  const emit = (alerts: Alert[]): void => {
    const documents = alerts.filter(shown).map(alertToJson);
    printed += documents.length;
    if (streaming) process.stdout.write(render('ndjson', documents, () => alertTable(documents)));
    else collected.push(...documents);
  };
  const inputs = paths.map(inputFromPath);
  const bytesRead = () => totalBytesRead(inputs);
  const progress = byteProgress(totalSize(inputs), bytesRead, 'detect');
  const started = Date.now();
  let events = 0;
  let quarantined = 0;
  for await (const batch of readEvents(inputs, { cluster: options.cluster })) {
    quarantined += batch.quarantined.length;
    for (const event of batch.events) detector.process(event);
    events += batch.events.length;
    emit(detector.takeClosed());
  }
  emit(detector.finish());
  progress.stop();
  if (!streaming) {
    collected.sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
    process.stdout.write(render(options.output, collected, () => alertTable(collected)));
  }
  reportSummary(events, quarantined, printed, (Date.now() - started) / 1000);
  return printed > 0 || quarantined > 0 ? exitCodes.problems : exitCodes.ok;
}

function reportSummary(events: number, quarantined: number, alerts: number, seconds: number): void {
  const skipped = quarantined > 0 ? `, ${quarantined} record(s) skipped (unreadable, or of no known source)` : '';
  process.stderr.write(`${events} events, ${alerts} alert(s)${skipped} in ${seconds.toFixed(1)} s\n`);
}

