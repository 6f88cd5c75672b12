import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One command to run in a fresh child process and measure. */
export interface CommandSpec {
  /** Program and arguments; a Node script starts with `process.execPath`. */
  argv: string[];
  /** Keep stdout (for small outputs the harness checks), drop it (`> /dev/null`) or write it to a file. */
  stdout: 'capture' | 'ignore' | { file: string };
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

export interface CommandRun {
  command: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Spawn to exit, as seen by the harness: includes process start-up. */
  wallSeconds: number;
  /** Peak resident set size of the child, when it could be measured. */
  maxRssKiB?: number;
  /** User + system CPU time of the child, when it could be measured. */
  cpuSeconds?: number;
  stdout: string;
  /** The end of stderr, for error reports. */
  stderrTail: string;
  startError?: string;
}

const GNU_TIME = '/usr/bin/time';
const STDERR_TAIL_CHARS = 4000;
const STDOUT_CAP_CHARS = 16 << 20;

let gnuTimeWorks: boolean | undefined;

/** GNU time reports the child's peak RSS; BusyBox or BSD time may sit at the same path without `-v -o`. */
export function hasGnuTime(): boolean {
  if (gnuTimeWorks === undefined) {
    gnuTimeWorks = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-v', '-o', '/dev/null', 'true']).status === 0;
  }
  return gnuTimeWorks;
}

/** Runs the command and measures wall time, peak RSS and CPU time. Never throws for a failing command. */
export async function runMeasured(spec: CommandSpec): Promise<CommandRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'vigil-bench-usage-'));
  const usageFile = join(scratch, 'usage');
  try {
    const { argv, env } = wrapForUsage(spec, usageFile);
    const run = await spawnAndWait(argv, spec, env);
    return { ...run, command: describe(spec.argv), ...readUsage(usageFile) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function wrapForUsage(spec: CommandSpec, usageFile: string): { argv: string[]; env: NodeJS.ProcessEnv } {
  const env = { ...process.env, ...spec.env };
  if (hasGnuTime()) return { argv: [GNU_TIME, '-v', '-o', usageFile, ...spec.argv], env };
  const [program, ...rest] = spec.argv;
  if (program !== process.execPath) return { argv: spec.argv, env };
  const probe = new URL('./rss-probe.js', import.meta.url).href;
  return { argv: [program, '--import', probe, ...rest], env: { ...env, VIGIL_BENCH_USAGE_FILE: usageFile } };
}

function readUsage(usageFile: string): { maxRssKiB?: number; cpuSeconds?: number } {
  if (!existsSync(usageFile)) return {};
  const text = readFileSync(usageFile, 'utf8');
  if (text.startsWith('{')) {
    const probe = JSON.parse(text) as { maxRssKiB: number; userSeconds: number; systemSeconds: number };
    return { maxRssKiB: probe.maxRssKiB, cpuSeconds: probe.userSeconds + probe.systemSeconds };
  }
  const field = (label: string) => {
    const match = new RegExp(`${label}: ([0-9.]+)`).exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const user = field('User time \\(seconds\\)');
  const system = field('System time \\(seconds\\)');
  return {
    maxRssKiB: field('Maximum resident set size \\(kbytes\\)'),
    cpuSeconds: user !== undefined && system !== undefined ? user + system : undefined,
  };
}

function spawnAndWait(argv: string[], spec: CommandSpec, env: NodeJS.ProcessEnv): Promise<Omit<CommandRun, 'command'>> {
  const outFd = typeof spec.stdout === 'object' ? openSync(spec.stdout.file, 'w') : undefined;
  const stdoutMode = outFd ?? (spec.stdout === 'capture' ? 'pipe' : 'ignore');
  const started = process.hrtime.bigint();
  // Its own process group, so a time-out also ends the grandchild behind /usr/bin/time.
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', stdoutMode, 'pipe'], env, detached: true });
  const group = child.pid;
  if (group !== undefined) liveGroups.add(group);
  endGroupsOnInterrupt();
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    if (stdout.length < STDOUT_CAP_CHARS) stdout += text;
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (group !== undefined) killGroup(group);
  }, spec.timeoutMs);
  return new Promise((resolve) => {
    let finished = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, startError?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (group !== undefined) liveGroups.delete(group);
      if (outFd !== undefined) closeSync(outFd);
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ exitCode, signal, timedOut, wallSeconds, stdout, stderrTail: stderr, startError });
    };
    child.on('error', (error) => finish(null, null, error.message));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

const liveGroups = new Set<number>();
let interruptHandled = false;

function killGroup(group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // The group has already exited.
  }
}

/** Measured commands run detached from the terminal's Ctrl-C; end them when the harness is interrupted. */
function endGroupsOnInterrupt(): void {
  if (interruptHandled) return;
  interruptHandled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const group of liveGroups) killGroup(group);
      process.kill(process.pid, signal);
    });
  }
}

/** A shell-like rendering of the command for reports. */
export function describe(argv: string[]): string {
  return argv.map((arg) => (arg === process.execPath ? 'node' : /^[\w./=:@-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(' ');
}
