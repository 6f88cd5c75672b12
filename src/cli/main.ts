import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { UsageError, exitCodes } from './exit.js';

/** Builds the `vigil` program and runs it; returns the process exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('vigil')
    .description('Adequate logging for Kubernetes: capture, keep tamper-evident, detect, alert, assess.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      return exitCodes.ok;
    }
    return exitCodes.usage;
  }
  if (error instanceof UsageError) {
    process.stderr.write(`vigil: ${error.message}\n`);
    return exitCodes.usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`vigil: ${message}\n`);
  if (process.env.VIGIL_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return exitCodes.problems;
}
