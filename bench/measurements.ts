import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from './dataset.js';
import { ledgerSecondsPerEvent } from './ledger-cost.js';
import type { CommandRun } from './measure.js';
import { countRules, multiplyRules, yamlFilesUnder } from './rule-multiplier.js';
import { type Check, type Throughput, exitsZero, failureText, measureThroughput, skipped } from './throughput.js';
import type { VigilCli } from './vigil-cli.js';

/** What every measurement needs: the input, the CLI, a scratch directory and a time limit. */
export interface BenchContext {
  dataset: Dataset;
  vigil: VigilCli;
  repoRoot: string;
  workDir: string;
  timeoutMs: number;
}

export async function measureFloor(ctx: BenchContext): Promise<Throughput> {
  const floorScript = join(ctx.repoRoot, 'dist', 'bench', 'floor.js');
  const countsEveryLine: Check = (run) => {
    if (run.exitCode !== 0) return failureText(run);
    const parsed = JSON.parse(run.stdout) as { events: number };
    return parsed.events === ctx.dataset.events ? undefined : `parsed ${parsed.events} lines, the dataset has ${ctx.dataset.events}`;
  };
  const { row } = await measureThroughput(
    'floor: read + split + JSON.parse',
    ctx.dataset,
    { argv: [process.execPath, floorScript, ctx.dataset.path], stdout: 'capture', timeoutMs: ctx.timeoutMs },
    countsEveryLine,
  );
  return row;
}

export interface IngestResult {
  rows: Throughput[];
  /** The data directory of the successful ingest, for verify and queries. */
  dataDir?: string;
  diskBytes?: number;
  /** Share of ingest time that the ledger takes (see ledger-cost.ts). */
  ledgerCost?: number;
}

export async function measureIngest(ctx: BenchContext): Promise<IngestResult> {
  const name = 'vigil ingest (end to end)';
  const startup = ctx.vigil.startupProblem();
  if (startup !== undefined) return { rows: [{ name, status: 'failed', reason: `vigil does not start (node bin/vigil.js --help):\n    ${startup.replaceAll('\n', '\n    ')}` }] };
  const help = ctx.vigil.help('ingest');
  if (help === undefined) return { rows: [{ name, status: 'failed', reason: '`vigil ingest --help` fails: the ingest command is not registered in this build' }] };

  const dataDir = join(ctx.workDir, 'ingest-data');
  const withLedger = await ingestInto(ctx, name, dataDir, []);
  if (withLedger.status !== 'ok') return { rows: [withLedger] };
  const diskBytes = directoryBytes(dataDir);
  withLedger.note = [withLedger.note, `${(diskBytes / ctx.dataset.events).toFixed(0)} B on disk per event`].filter(Boolean).join('; ');
  const ledgerCost = withLedger.eventsPerSecond ? (await ledgerSecondsPerEvent(ctx.dataset.path)) * withLedger.eventsPerSecond : undefined;
  return { rows: [withLedger], dataDir, diskBytes, ledgerCost };
}

async function ingestInto(ctx: BenchContext, name: string, dataDir: string, extraArgs: string[]): Promise<Throughput> {
  const argv = ctx.vigil.argv('ingest', '--cluster', 'bench', '--data-dir', dataDir, ...extraArgs, ctx.dataset.path);
  const storesEverything: Check = (run) => {
    if (run.exitCode === 1) return `records were quarantined or the ingest failed (exit status 1):\n    ${run.stderrTail.trim().split('\n').slice(-6).join('\n    ')}`;
    return exitsZero(run);
  };
  const { row, run } = await measureThroughput(name, ctx.dataset, { argv, stdout: 'capture', timeoutMs: ctx.timeoutMs }, storesEverything);
  const accepted = /accepted (\d+)/.exec(run.stderrTail)?.[1];
  if (accepted !== undefined) row.note = `accepted ${accepted}`;
  return row;
}

export async function measureJq(ctx: BenchContext): Promise<Throughput> {
  const name = 'jq -c . > /dev/null';
  if (spawnSync('jq', ['--version']).status !== 0) return skipped(name, 'jq is not installed');
  const { row } = await measureThroughput(name, ctx.dataset, { argv: ['jq', '-c', '.', ctx.dataset.path], stdout: 'ignore', timeoutMs: ctx.timeoutMs });
  return row;
}

/**
 * The built-in pack, the pack ten times over, and imported rule sets run unmodified (Falco's
 * current 48 k8s_audit rules, SigmaHQ's 16 Kubernetes audit rules) when `--rules` is supported.
 */
export async function measureDetect(ctx: BenchContext): Promise<Throughput[]> {
  const help = ctx.vigil.help('detect');
  if (help === undefined) return [skipped('vigil detect', '`vigil detect --help` fails: the detect command is not in this build yet')];
  const rulesDir = join(ctx.repoRoot, 'rules');
  const packSize = existsSync(rulesDir) ? countRules(rulesDir) : 0;
  const builtin = await detectWith(ctx, `vigil detect (builtin, ${packSize} rules)`, 'builtin', 'detect-builtin.ndjson');
  if (!help.includes('--rules')) return [builtin, skipped('vigil detect (10× rules)', '`vigil detect` has no --rules option')];
  if (!existsSync(rulesDir) || yamlFilesUnder(rulesDir).length === 0) {
    return [builtin, skipped('vigil detect (10× rules)', 'rules/ holds no YAML rules yet (multiplyRules in bench/rule-multiplier.ts is ready)')];
  }
  const multipliedDir = join(ctx.workDir, 'rules-x10');
  const { rules } = multiplyRules(rulesDir, multipliedDir, 10);
  const multiplied = await detectWith(ctx, `vigil detect (10× pack, ${rules} rules)`, multipliedDir, 'detect-x10.ndjson');
  return [builtin, multiplied, ...(await measureImportedRules(ctx))];
}

/** Imported formats from the shared fixtures beside the checkout (../shared/fixtures). */
const IMPORTED_RULE_SETS = [
  { name: 'vigil detect (Falco k8s_audit, 48 rules)', path: ['falco', 'k8saudit-rules-current'], output: 'detect-falco.ndjson' },
  { name: 'vigil detect (Sigma k8s audit, 16 rules)', path: ['sigma', 'kubernetes-audit'], output: 'detect-sigma.ndjson' },
];

async function measureImportedRules(ctx: BenchContext): Promise<Throughput[]> {
  const rows: Throughput[] = [];
  for (const set of IMPORTED_RULE_SETS) {
    const dir = join(ctx.repoRoot, '..', 'shared', 'fixtures', ...set.path);
    rows.push(existsSync(dir) ? await detectWith(ctx, set.name, dir, set.output) : skipped(set.name, `${dir} not found (the shared fixtures sit beside the checkout)`));
  }
  return rows;
}

async function detectWith(ctx: BenchContext, name: string, rules: string, outputName: string): Promise<Throughput> {
  const outputFile = join(ctx.workDir, outputName);
  const argv = ctx.vigil.argv('detect', '--rules', rules, ctx.dataset.path, '-o', 'ndjson');
  const { row } = await measureThroughput(name, ctx.dataset, { argv, stdout: { file: outputFile }, timeoutMs: ctx.timeoutMs }, alertsPrinted(outputFile));
  const alerts = countAlerts(outputFile);
  row.note = `${alerts ?? '?'} alerts; ${((1e6 * (row.wallSeconds ?? NaN)) / ctx.dataset.events).toFixed(2)} µs/event`;
  return row;
}

/**
 * `vigil detect` may exit 1 to say "alerts found" (DESIGN: 1 = found problems); that is a
 * success when what it printed is alerts and it reported no error.
 */
function alertsPrinted(outputFile: string): Check {
  return (run: CommandRun) => {
    if (run.exitCode === 0) return undefined;
    if (run.exitCode === 1 && (countAlerts(outputFile) ?? 0) > 0 && !/^vigil: /m.test(run.stderrTail)) return undefined;
    return failureText(run);
  };
}

function countAlerts(outputFile: string): number | undefined {
  if (!existsSync(outputFile)) return undefined;
  let alerts = 0;
  for (const line of readFileSync(outputFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      if (typeof (JSON.parse(line) as { rule?: unknown }).rule === 'object') alerts++;
    } catch {
      return undefined;
    }
  }
  return alerts;
}

export async function measureVerify(ctx: BenchContext, dataDir: string | undefined): Promise<Throughput> {
  const name = 'vigil verify (records/s)';
  if (ctx.vigil.help('verify') === undefined) return skipped(name, '`vigil verify --help` fails: the verify command is not in this build yet');
  if (dataDir === undefined) return skipped(name, 'needs a successful ingest');
  const { row } = await measureThroughput(name, ctx.dataset, { argv: ctx.vigil.argv('verify', '--data-dir', dataDir), stdout: 'capture', timeoutMs: ctx.timeoutMs });
  return row;
}

function directoryBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}
