import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** How the harness starts `vigil`, and what the build at hand supports (commands land one by one). */
export class VigilCli {
  private readonly bin: string;

  constructor(repoRoot: string) {
    this.bin = join(repoRoot, 'bin', 'vigil.js');
  }

  argv(...args: string[]): string[] {
    return [process.execPath, this.bin, ...args];
  }

  /**
   * The command's `--help` text, or undefined when the command does not exist (yet) or does not
   * start. Commander answers `vigil unknown --help` with the program's help, so the usage line
   * must name the command.
   */
  help(command: string): string | undefined {
    const result = spawnSync(process.execPath, [this.bin, command, '--help'], { encoding: 'utf8', timeout: 60_000 });
    const text = `${result.stdout ?? ''}${result.stderr ?? ''}`;
    return result.status === 0 && text.includes(`Usage: vigil ${command}`) ? text : undefined;
  }

  /** Why `vigil` cannot start at all, or undefined when `vigil --help` works. */
  startupProblem(): string | undefined {
    const result = spawnSync(process.execPath, [this.bin, '--help'], { encoding: 'utf8', timeout: 60_000 });
    if (result.status === 0) return undefined;
    return lastLines(`${result.stderr ?? ''}${result.error?.message ?? ''}`, 6) || `exit status ${result.status}`;
  }
}

export function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}
